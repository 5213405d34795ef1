#!/usr/bin/python3
"""Trains the fight head on features written by `streamanalytics features action` and exports it as ONNX.

Run by models/fight/train.sh (one command for the whole recipe); see docs/models-action.md.

  train.py --features FEATURES.csv --out models/fight            cross-validate, choose, fit on all clips, export
  train.py --features FEATURES.csv --verify eval-action.json     compare the C# head's probabilities with ours
  train.py --features FEATURES.csv --study                       also cross-validate the alternatives we tried

The classifier is a standardised logistic regression over the recipe's per-view features. Every view of a
training clip (5 temporal offsets x original/mirrored) is a training sample; a clip's probability is the
mean over its views, as `score action` computes it. Only the feature columns are read: clip metadata
(fps, length, resolution) never reaches the classifier. Folds are split by clip, never by view, so the
views of one clip are never on both sides. Everything is seeded: the same features give the same head.

Two kinds of folds are reported. Random folds (stratified by label) put clips cut from the same source video
on both sides of a split, so they measure partly how well the head recognises a scene it has seen. Grouped
folds keep blocks of BLOCK neighbouring clip numbers together (see BLOCK); they are the figure that counts,
and every setting (C, the feature parts, the temperature) is chosen on grouped folds only, nested inside the
training folds when the result is to be an estimate.

Calibration: the view logits are divided by a temperature T fitted (clip-level log loss) on grouped
out-of-fold predictions of the training clips; the exported Gemm's weights and bias are divided by T, so
the C# head needs no change. ECE: 15 equal-width bins of the clip's confidence (max of P(fight) and
1 - P(fight)), weighted by clips per bin.
"""
import argparse
import csv
import hashlib
import json
import os
import re
import sys

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

POSITIVE = "fight"
LABELS = ["fight", "noFight"]  # logits order in the exported head
C_GRID = [0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]  # L2 strength candidates, chosen by inner grouped folds
C_BEFORE = 0.1  # the C of head 1.0.0 (chosen on random folds), reported for comparison
FOLD_SEEDS = [int(s) for s in os.environ.get("FIGHT_FOLD_SEEDS", "0,1,2,3,4").split(",")]
NESTED_SEEDS = [int(s) for s in os.environ.get("FIGHT_NESTED_SEEDS", "0,1,2").split(",")]  # the nested estimate refits the whole choice per outer fold: fewer seeds, same folds
FOLDS = 5
INNER_FOLDS = 4
ECE_BINS = 15
# Grouped folds: clips fiNNN and nofiNNN are cut from public videos, and neighbouring numbers often come from
# the same video (the first frames of clips 1 apart correlate above 0.8 in 19-22% of pairs, 5 apart in 1-4%,
# 7 or more apart never, against 0.4-0.8% for any two clips: models/fight/neighbours.py). A group is a block of
# BLOCK consecutive clip numbers, fight and noFight together (fiN and nofiN share a first frame 2.5% of the
# time, a little above chance), so a scene's clips fall on one side of a split except at block edges.
BLOCK = 10
HEAD_NAME = "fight-detector"
HEAD_VERSION = "1.1.0"


class Parts:
    """The parts of temporal-stats-v1 (ClipFeatureRecipe), as column ranges for C channels."""

    def __init__(self, length):
        c = (length - 4) // 8
        self.ranges = {
            "appearance": (0, 2 * c),
            "change": (2 * c, 4 * c),
            "cosine": (4 * c, 4 * c + 4),
            "local": (4 * c + 4, 6 * c + 4),
            "pooled": (6 * c + 4, 8 * c + 4),
        }
        self.length = length

    def columns(self, names):
        return np.concatenate([np.arange(*self.ranges[n]) for n in names])


ALL_PARTS = ("appearance", "change", "cosine", "local", "pooled")
MOTION_PARTS = ("change", "cosine", "local", "pooled")


class Data:
    def __init__(self, X, y_view, group, y_clip, clip_paths, view_of_row):
        self.X, self.y_view, self.group, self.y_clip = X, y_view, group, y_clip
        self.clip_paths, self.view_of_row = clip_paths, view_of_row
        self.rows = [np.flatnonzero(group == c) for c in range(len(clip_paths))]
        self.blocks = block_of(clip_paths, BLOCK)

    def rows_of(self, clips, view_mask=None):
        rows = np.concatenate([self.rows[c] for c in clips])
        return rows if view_mask is None else rows[view_mask[rows]]


def clip_number(path):
    match = re.search(r"(\d+)\D*$", os.path.splitext(os.path.basename(path))[0])
    if not match:
        sys.exit(f"{path}: no clip number in the file name; grouped folds need one")
    return int(match.group(1))


def block_of(clip_paths, size):
    return np.array([(clip_number(p) - 1) // size for p in clip_paths])


def load(features_path):
    meta_path = os.path.splitext(features_path)[0] + ".json"
    with open(meta_path) as f:
        meta = json.load(f)
    paths, labels, view_names, rows = [], [], [], []
    with open(features_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[:3] != ["path", "label", "view"] or len(header) - 3 != meta["length"]:
            sys.exit(f"{features_path}: header does not match {meta_path} ({len(header) - 3} features, expected {meta['length']})")
        for r in reader:
            paths.append(r[0])
            labels.append(r[1])
            view_names.append(r[2])
            rows.append(np.array(r[3:], dtype=np.float32))
    X = np.stack(rows)
    clip_paths = list(dict.fromkeys(paths))  # file order
    index = {p: i for i, p in enumerate(clip_paths)}
    group = np.array([index[p] for p in paths])
    y_view = np.array([1 if l == POSITIVE else 0 for l in labels])
    y_clip = np.zeros(len(clip_paths), dtype=int)
    y_clip[group] = y_view
    return meta, Data(X, y_view, group, y_clip, clip_paths, np.array(view_names))


def logistic(c):
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=10000))


def splits(kind, seed, y, blocks, folds=FOLDS):
    """Clip index splits: 'random' (stratified by label) or 'grouped' (the blocks shuffled by the seed and dealt
    into folds of equal block counts, each block kept whole; every block holds both labels, so the folds are
    near balanced). sklearn's StratifiedGroupKFold is not used: with 15 blocks of distinct label mixes its
    shuffle changes nothing, and every seed gave the same folds."""
    if kind == "random":
        return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    order = np.random.default_rng(seed).permutation(np.unique(blocks))
    return [(np.flatnonzero(~np.isin(blocks, fold)), np.flatnonzero(np.isin(blocks, fold))) for fold in np.array_split(order, folds)]


def clip_probability_from_logits(d, z, clips, temperature=1.0, view_mask=None):
    """P(fight) per clip: the mean over its views (or the views in view_mask) of sigmoid(z / T)."""
    p = 1 / (1 + np.exp(-z / temperature))
    return np.array([p[d.rows[c] if view_mask is None else d.rows[c][view_mask[d.rows[c]]]].mean() for c in clips])


def fit(d, clips, c, columns, view_mask=None):
    rows = d.rows_of(clips, view_mask)
    return make_model(c).fit(d.X[np.ix_(rows, columns)] if columns is not None else d.X[rows], d.y_view[rows])


make_model = logistic


def logits(model, d, clips, columns):
    """The model's view logits (log-odds of fight) for every row of clips, in a full-length array (NaN elsewhere)."""
    z = np.full(len(d.X), np.nan)
    rows = d.rows_of(clips)
    x = d.X[np.ix_(rows, columns)] if columns is not None else d.X[rows]
    if hasattr(model, "decision_function"):
        z[rows] = model.decision_function(x)
    else:  # the study's MLP: the log-odds of its probability
        p = np.clip(model.predict_proba(x)[:, 1], 1e-15, 1 - 1e-15)
        z[rows] = np.log(p / (1 - p))
    return z


def cross_validate(d, kind, c=C_BEFORE, columns=None, seeds=FOLD_SEEDS, test_view_mask=None, train_view_mask=None, blocks=None):
    """Clip accuracy over FOLDS folds per seed; also the out-of-fold P(fight) per seed (for ECE)."""
    blocks = d.blocks if blocks is None else blocks
    per_seed, per_fold, oof = [], [], []
    for seed in seeds:
        p_oof = np.zeros(len(d.y_clip))
        fold_acc = []
        for train, test in splits(kind, seed, d.y_clip, blocks):
            model = fit(d, train, c, columns, train_view_mask)
            p = clip_probability_from_logits(d, logits(model, d, test, columns), test, view_mask=test_view_mask)
            p_oof[test] = p
            fold_acc.append(float(((p > 0.5) == (d.y_clip[test] == 1)).mean()))
        per_seed.append(float(((p_oof > 0.5) == (d.y_clip == 1)).mean()))
        per_fold.append(fold_acc)
        oof.append(p_oof)
    return per_seed, per_fold, oof


def ece(p, y, bins=ECE_BINS):
    """Expected calibration error of clip probabilities p = P(fight) against labels y (1 = fight)."""
    confidence = np.maximum(p, 1 - p)
    correct = (p > 0.5) == (y == 1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for b in range(bins):
        inside = (confidence > edges[b]) & (confidence <= edges[b + 1])
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def log_loss(p, y):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))


def fit_temperature(d, z, clips):
    """T minimising the clip-level log loss of mean-over-views sigmoid(z / T) on clips (out-of-fold logits)."""
    y = d.y_clip[clips]
    result = minimize_scalar(lambda s: log_loss(clip_probability_from_logits(d, z, clips, np.exp(s)), y),
                             bounds=(np.log(0.01), np.log(100.0)), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))


def choose(d, clips, seed, columns, grid=C_GRID):
    """The training procedure's choices, made on clips only: C by INNER_FOLDS grouped folds (clip accuracy,
    ties by log loss after calibration), then T on the chosen C's grouped out-of-fold logits."""
    z = {c: np.full(len(d.X), np.nan) for c in grid}
    for train, test in splits("grouped", seed, d.y_clip[clips], d.blocks[clips], INNER_FOLDS):
        train_rows, test_rows = d.rows_of(clips[train]), d.rows_of(clips[test])
        pick = (lambda rows: d.X[rows]) if columns is None else (lambda rows: d.X[np.ix_(rows, columns)])
        scaler = StandardScaler().fit(pick(train_rows))
        x_train, x_test = scaler.transform(pick(train_rows)), scaler.transform(pick(test_rows))
        # One standardisation per fold; C ascending, each fit starting from the previous (same optimum, faster).
        lr = LogisticRegression(max_iter=10000, warm_start=True)
        for c in sorted(grid):
            z[c][test_rows] = lr.set_params(C=c).fit(x_train, d.y_view[train_rows]).decision_function(x_test)
    table = []
    for c in grid:
        t = fit_temperature(d, z[c], clips)
        p = clip_probability_from_logits(d, z[c], clips, t)
        table.append({"C": c, "accuracy": float(((p > 0.5) == (d.y_clip[clips] == 1)).mean()), "T": t,
                      "logLoss": log_loss(p, d.y_clip[clips])})
    best = max(table, key=lambda r: (round(r["accuracy"], 6), -r["logLoss"]))
    return best["C"], best["T"], table


def nested(d, columns, seeds=NESTED_SEEDS):
    """Outer grouped folds; inside each outer training set, choose() picks C and T. Out-of-fold clip
    probabilities before (T = 1) and after calibration, and the choices per fold."""
    all_clips = np.arange(len(d.y_clip))
    raw, cal, chosen = [], [], []
    for seed in seeds:
        p_raw, p_cal = np.zeros(len(d.y_clip)), np.zeros(len(d.y_clip))
        for train, test in splits("grouped", seed, d.y_clip, d.blocks):
            c, t, _ = choose(d, all_clips[train], seed, columns)
            z = logits(fit(d, train, c, columns), d, test, columns)
            p_raw[test] = clip_probability_from_logits(d, z, test)
            p_cal[test] = clip_probability_from_logits(d, z, test, t)
            chosen.append({"seed": seed, "C": c, "T": round(t, 4)})
        raw.append(p_raw)
        cal.append(p_cal)
        print(f"    nested seed {seed}: accuracy {accuracy(p_cal, d.y_clip):.3f}, ECE {ece(p_raw, d.y_clip):.3f} -> {ece(p_cal, d.y_clip):.3f}, "
              f"choices {[(r['C'], r['T']) for r in chosen if r['seed'] == seed]}", flush=True)
    return raw, cal, chosen


def accuracy(p, y):
    return float(((p > 0.5) == (y == 1)).mean())


def head_probability(weights, bias, X, group, clips):
    """P(fight) per clip from the exported weights, in float64: softmax of X·Wᵀ + B, mean over views."""
    logits_ = X.astype(np.float64) @ weights.T.astype(np.float64) + bias.astype(np.float64)
    p = 1 / (1 + np.exp(logits_[:, 1] - logits_[:, 0]))
    return np.array([p[group == c].mean() for c in clips])


def export(model, columns, temperature, meta, out_dir, d):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    # Fold the standardisation into the linear layer: w·(x − μ)/σ + b = (w/σ)·x + (b − Σ w μ/σ); features the
    # head does not use get weight 0. Then the temperature: z/T.
    w = np.zeros(d.X.shape[1])
    w[columns] = lr.coef_[0] / scaler.scale_
    b = lr.intercept_[0] - np.sum(lr.coef_[0] * scaler.mean_ / scaler.scale_)
    w, b = w / temperature, b / temperature
    # Two logits whose softmax is the regression's sigmoid: [z/2, −z/2] for [fight, noFight].
    weights = np.stack([w / 2, -w / 2]).astype(np.float32)
    bias = np.array([b / 2, -b / 2], dtype=np.float32)
    dim = weights.shape[1]
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["features", "W", "B"], ["logits"], transB=1)],
        HEAD_NAME,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", dim])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])],
        [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "B")],
    )
    # The folded float32 head must still be the fitted, calibrated model.
    clips = range(len(d.clip_paths))
    fitted = clip_probability_from_logits(d, logits(model, d, clips, columns), clips, temperature)
    worst = np.max(np.abs(head_probability(weights, bias, d.X, d.group, clips) - fitted))
    if worst > 1e-4:
        sys.exit(f"export: folding the standardisation and temperature changed the probabilities by up to {worst:.2e}")
    onnx_model = helper.make_model(graph, producer_name="streamanalytics models/fight/train.py", opset_imports=[helper.make_opsetid("", 13)])
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    head_path = os.path.join(out_dir, "head.onnx")
    onnx.save(onnx_model, head_path)
    manifest = {
        "name": HEAD_NAME,
        "version": HEAD_VERSION,
        "file": "head.onnx",
        "input": {
            "name": "features",
            "layout": "features",
            "recipe": meta["recipe"],
            "backbone": meta["backbone"]["name"],
            "frames": meta["frames"],
            "length": dim,
        },
        "outputs": [{"name": "logits", "role": "classLogits", "labels": LABELS}],
    }
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return head_path, fitted


def summary(name, kind, per_seed, per_fold, oof, y):
    eces = [ece(p, y) for p in oof]
    return {
        "name": name,
        "folds": kind,
        "mean": round(float(np.mean(per_seed)), 4),
        "std": round(float(np.std(per_seed)), 4),
        "perSeed": [round(a, 4) for a in per_seed],
        "perFold": [[round(a, 4) for a in f] for f in per_fold],
        "foldStd": round(float(np.std(np.array(per_fold))), 4),
        "ece": round(float(np.mean(eces)), 4),
        "logLoss": round(float(np.mean([log_loss(p, y) for p in oof])), 4),
    }


def show(s):
    print(f"  [{s['folds']}] {s['name']}: {s['mean']:.3f} ± {s['std']:.3f} over {len(s['perSeed'])} fold seeds "
          f"(per seed {', '.join(f'{a:.3f}' for a in s['perSeed'])}; fold std {s['foldStd']:.3f}); "
          f"ECE {s['ece']:.3f}, log loss {s['logLoss']:.3f}", flush=True)


def run(results, d, name, kind, **kwargs):
    results.append(summary(name, kind, *cross_validate(d, kind, **kwargs), d.y_clip))
    show(results[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", required=True)
    parser.add_argument("--out", help="folder for head.onnx, model.json and training.json")
    parser.add_argument("--verify", help="an eval-action.json report of the exported head on the same features")
    parser.add_argument("--study", action="store_true", help="also cross-validate the alternatives (slow)")
    args = parser.parse_args()

    meta, d = load(args.features)
    view_names = list(dict.fromkeys(d.view_of_row))
    if args.verify:
        return verify(args.verify, d)

    parts = Parts(d.X.shape[1])
    print(f"{len(d.clip_paths)} clips ({int(d.y_clip.sum())} fight), {len(view_names)} views each, {d.X.shape[1]} "
          f"'{meta['recipe']}' features (T = {meta['frames']}); {len(set(d.blocks))} blocks of {BLOCK} clip numbers", flush=True)
    print(f"{FOLDS}-fold clip accuracy, logistic regression; 'random' = stratified folds over clips, 'grouped' = blocks kept whole:", flush=True)
    results = []
    live_like = d.view_of_row == "u0.5"
    motion = parts.columns(MOTION_PARTS)
    for kind in ("random", "grouped"):
        run(results, d, f"head 1.0.0: all parts, C = {C_BEFORE}, 10 views", kind)
    run(results, d, f"head 1.0.0, one view at test (u0.5, not mirrored: what one live window sees)", "grouped", test_view_mask=live_like)
    if args.study:
        for c in C_GRID:
            for name, columns in (("all parts", None), ("motion parts (no appearance)", motion)):
                if (c, columns is None) != (C_BEFORE, True):
                    run(results, d, f"{name}, C = {c}", "grouped", c=c, columns=columns)
        for size in (1, 5, 20, 30):
            run(results, d, f"head 1.0.0, blocks of {size} clip numbers", "grouped", blocks=block_of(d.clip_paths, size))
        for kind in ("random", "grouped"):
            run(results, d, "no augmentation (train and test on u0.5 only)", kind, test_view_mask=live_like, train_view_mask=live_like)
        for part in ALL_PARTS:
            run(results, d, f"one part only: {part}, C = 0.003", "grouped", c=0.003, columns=parts.columns((part,)))
        for names in (("local", "pooled"), ("change", "local", "pooled"), ("cosine", "local", "pooled")):
            run(results, d, f"{' + '.join(names)}, C = 0.003", "grouped", c=0.003, columns=parts.columns(names))
        local = parts.columns(("local",))
        for kind in ("random", "grouped"):
            run(results, d, "head 1.1.0's configuration: local map change only, C = 0.001, T = 1", kind, c=0.001, columns=local)
        run(results, d, "head 1.1.0's configuration, one view at test", "grouped", c=0.001, columns=local, test_view_mask=live_like)
        global make_model
        make_model = lambda c: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), alpha=1.0 / c, max_iter=500, random_state=0))
        run(results, d, "MLP, one hidden layer of 64, alpha 1/C, motion parts", "grouped", c=1.0, columns=motion)
        make_model = logistic

    # The shipped procedure and its honest estimate: C and T chosen on grouped folds inside the training
    # clips (nested), for each candidate set of feature parts.
    print(f"Nested grouped folds ({FOLDS} outer x {INNER_FOLDS} inner, seeds {NESTED_SEEDS}): C from {C_GRID}, then T", flush=True)
    candidates = {"all parts": (ALL_PARTS, None), "motion parts (no appearance)": (MOTION_PARTS, motion),
                  "local map change only": (("local",), parts.columns(("local",)))}
    nested_results = []
    for name, (names, columns) in candidates.items():
        raw, cal, chosen = nested(d, columns)
        entry = {
            "name": name, "parts": list(names), "seeds": NESTED_SEEDS,
            "accuracy": round(float(np.mean([accuracy(p, d.y_clip) for p in cal])), 4),
            "accuracyStd": round(float(np.std([accuracy(p, d.y_clip) for p in cal])), 4),
            "perSeed": [round(accuracy(p, d.y_clip), 4) for p in cal],
            "eceBefore": round(float(np.mean([ece(p, d.y_clip) for p in raw])), 4),
            "eceAfter": round(float(np.mean([ece(p, d.y_clip) for p in cal])), 4),
            "logLossBefore": round(float(np.mean([log_loss(p, d.y_clip) for p in raw])), 4),
            "logLossAfter": round(float(np.mean([log_loss(p, d.y_clip) for p in cal])), 4),
            "choices": chosen,
        }
        nested_results.append(entry)
        print(f"  {name}: accuracy {entry['accuracy']:.3f} ± {entry['accuracyStd']:.3f}, ECE {entry['eceBefore']:.3f} -> {entry['eceAfter']:.3f}, "
              f"log loss {entry['logLossBefore']:.3f} -> {entry['logLossAfter']:.3f}", flush=True)
    best = max(nested_results, key=lambda r: r["accuracy"])
    print(f"Ships: {best['name']} (best nested grouped accuracy)", flush=True)

    if not args.out:
        return 0
    os.makedirs(args.out, exist_ok=True)
    names, columns = candidates[best["name"]]
    all_clips = np.arange(len(d.y_clip))
    c, t, table = choose(d, all_clips, 0, columns)
    model = fit(d, all_clips, c, columns)
    head_path, train_p = export(model, columns, t, meta, args.out, d)
    train_accuracy = accuracy(train_p, d.y_clip)
    with open(args.features, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    training = {
        "head": {"name": HEAD_NAME, "version": HEAD_VERSION, "labels": LABELS},
        "features": {"recipe": meta["recipe"], "frames": meta["frames"], "length": int(d.X.shape[1]), "views": view_names,
                     "backbone": {k: meta["backbone"][k] for k in ("name", "version", "channels", "cells")},
                     "clips": len(d.clip_paths), "clipsPerLabel": meta["clipsPerLabel"], "sha256": digest,
                     "millisecondsPerClip": meta["millisecondsPerClip"]},
        "classifier": {"kind": "standardised L2 logistic regression, standardisation and temperature folded into one Gemm",
                       "parts": list(names), "C": c, "temperature": round(t, 4),
                       "chosenBy": f"{INNER_FOLDS} grouped folds (blocks of {BLOCK} clip numbers) over all clips, seed 0: C by clip accuracy, then T by clip log loss",
                       "choice": [{k: v if k == "C" else round(v, 4) for k, v in r.items()} for r in table],
                       "trainedOn": "every view of every clip", "clipProbability": "mean over views"},
        "crossValidation": {"folds": FOLDS, "random": "stratified by clip label", "grouped": f"stratified, blocks of {BLOCK} consecutive clip numbers (fight and noFight together) kept whole",
                            "foldSeeds": FOLD_SEEDS, "eceBins": ECE_BINS, "results": results},
        "nestedGroupedCrossValidation": {"outerFolds": FOLDS, "innerFolds": INNER_FOLDS, "cGrid": C_GRID, "results": nested_results,
                                         "ships": best["name"]},
        "trainingAccuracy": round(train_accuracy, 4),
    }
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(training, f, indent=2)
        f.write("\n")
    print(f"Fitted on all {len(d.clip_paths)} clips ({best['name']}, C = {c}, T = {t:.3f}; training accuracy {train_accuracy:.3f}); "
          f"wrote {head_path} ({os.path.getsize(head_path)} bytes), model.json and training.json to {args.out}", flush=True)
    return 0


def verify(report_path, d):
    """The C# head (ONNX Runtime, float32) must give what the exported weights give in numpy (float64)."""
    import onnx
    from onnx import numpy_helper

    with open(report_path) as f:
        report = json.load(f)
    head = onnx.load(os.path.join(os.path.dirname(report["model"]["manifest"]), "head.onnx"))
    tensors = {t.name: numpy_helper.to_array(t) for t in head.graph.initializer}
    clips = range(len(d.clip_paths))
    ours = dict(zip(d.clip_paths, head_probability(tensors["W"], tensors["B"], d.X, d.group, clips)))
    worst = max(abs(r["probabilities"][POSITIVE] - ours[r["path"]]) for r in report["results"])
    if len(report["results"]) != len(d.clip_paths) or worst > 1e-4:
        sys.exit(f"verify: the C# head disagrees with the exported weights (largest probability difference {worst:.2e}, {len(report['results'])} clips)")
    print(f"verify: the C# head gives the exported weights' probabilities on all {len(d.clip_paths)} clips (largest difference {worst:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
