#!/usr/bin/python3
"""Issue 10 item 5: is one temperature the best calibration of the fight head, or would a bias (Platt) or isotonic do better?

  calibration_study.py FEATURES.csv

FEATURES.csv is what `streamanalytics features action` wrote (train.sh caches it under /tmp/streamanalytics-fight).
For the shipped configuration (logistic regression on the local map change, C chosen by train.choose's inner grouped
folds), each outer grouped fold fits three calibrations on the same inner out-of-fold view logits of its training
clips, and scores its test clips with each:
  temperature  P = mean over views of sigmoid(z / T)           (what ships: train.fit_temperature)
  platt        P = mean over views of sigmoid(a z + b)         (a bias as well; it folds into the Gemm as T does)
  isotonic     P = isotonic map of the clip's uncalibrated mean probability, fitted on the inner clips
Accuracy and ECE (train.ece, 15 bins) over the out-of-fold clips, fold seeds 0-2 (train.NESTED_SEEDS).
"""
import argparse
import os
import sys

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def inner_logits(d, clips, c, columns, seed):
    """Out-of-fold view logits of clips at C = c, over train.INNER_FOLDS grouped folds (as train.choose computes them)."""
    z = np.full(len(d.X), np.nan)
    for tr, te in train.splits("grouped", seed, d.y_clip[clips], d.blocks[clips], train.INNER_FOLDS):
        train_rows, test_rows = d.rows_of(clips[tr]), d.rows_of(clips[te])
        scaler = StandardScaler().fit(d.X[np.ix_(train_rows, columns)])
        lr = LogisticRegression(C=c, max_iter=10000).fit(scaler.transform(d.X[np.ix_(train_rows, columns)]), d.y_view[train_rows])
        z[test_rows] = lr.decision_function(scaler.transform(d.X[np.ix_(test_rows, columns)]))
    return z


def platt_probability(d, z, clips, a, b):
    p = 1 / (1 + np.exp(-(a * z + b)))
    return np.array([p[d.rows[c]].mean() for c in clips])


def fit_platt(d, z, clips, start_a):
    y = d.y_clip[clips]
    result = minimize(lambda ab: train.log_loss(platt_probability(d, z, clips, ab[0], ab[1]), y), [start_a, 0.0], method="Nelder-Mead",
                      options={"xatol": 1e-5, "fatol": 1e-8, "maxiter": 2000})
    return result.x


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("features")
    args = parser.parse_args()
    _, d = train.load(args.features)
    columns = train.Parts(d.X.shape[1]).columns(("local",))
    everything = np.arange(len(d.y_clip))
    results = {name: [] for name in ("uncalibrated", "temperature", "platt", "isotonic")}
    for seed in train.NESTED_SEEDS:
        p = {name: np.zeros(len(d.y_clip)) for name in results}
        for tr, te in train.splits("grouped", seed, d.y_clip, d.blocks):
            c, t, _ = train.choose(d, everything[tr], seed, columns)
            z_inner = inner_logits(d, everything[tr], c, columns, seed)
            a, b = fit_platt(d, z_inner, everything[tr], 1 / t)
            iso = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(
                train.clip_probability_from_logits(d, z_inner, everything[tr]), d.y_clip[everything[tr]])
            z = train.logits(train.fit(d, tr, c, columns), d, te, columns)
            p["uncalibrated"][te] = train.clip_probability_from_logits(d, z, te)
            p["temperature"][te] = train.clip_probability_from_logits(d, z, te, t)
            p["platt"][te] = platt_probability(d, z, te, a, b)
            p["isotonic"][te] = iso.predict(p["uncalibrated"][te])
            print(f"    seed {seed}: C {c}, T {t:.3f}, Platt a {a:.3f} b {b:+.3f}", flush=True)
        for name in results:
            results[name].append((train.accuracy(p[name], d.y_clip), train.ece(p[name], d.y_clip), train.log_loss(p[name], d.y_clip)))
            print(f"  seed {seed} {name}: accuracy {results[name][-1][0]:.3f}, ECE {results[name][-1][1]:.3f}, log loss {results[name][-1][2]:.3f}", flush=True)
    print("| calibration | nested grouped accuracy | ECE | log loss |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        acc, ece, loss = (np.array(x) for x in zip(*rows))
        print(f"| {name} | {acc.mean():.3f} ± {acc.std():.3f} | {ece.mean():.3f} ({', '.join(f'{e:.3f}' for e in ece)}) | {loss.mean():.3f} |")


if __name__ == "__main__":
    main()
