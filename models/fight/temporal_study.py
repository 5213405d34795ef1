#!/usr/bin/python3
"""Issue 10 item 5: does a temporal model over per-step features beat the shipped head on grouped folds?

  temporal_study.py SEQ_PREFIX [--models lr,conv,gru] [--nested]

SEQ_PREFIX is what bench/StreamAnalytics.FightSequences wrote: SEQ_PREFIX.csv (a row per view: path, label, view,
steps, offset) and SEQ_PREFIX.f32 (per step: a_t, the strongest local change of each of the 512 channels of the
INT8 ResNet-18's 7x7 map; g_t, the change of each channel's max over cells; the cosine distance and the L2
distance between consecutive embeddings; 1,026 values). The views are those of `features action` (5 temporal
offsets x original/mirrored, T = 32, so 31 steps; fewer for clips shorter than 32 frames).

Models, each scored as train.py scores a head (clip probability = mean over its 10 views; grouped folds of
blocks of 10 clip numbers, train.splits, fold seeds 0-2):
  lr    the shipped head's configuration on the same views: L2 logistic regression (C = 0.001) on mean and std over
        steps of a_t; the check that these sequences reproduce the shipped features' figure
  conv  a 1-D temporal convolution: a per-step linear map of the standardised step to H channels, two convolutions
        of width 3 over time (ReLU), then the mean and the max over steps, and a linear layer to the fight logit
  gru   a GRU of H units over the projected steps, its mean and max over steps, and a linear layer

The temporal models train with Adam and weight decay, on every training view, with a random contiguous crop of
16-31 steps per view and epoch (temporal augmentation; flips and offsets are already views), and dropout on
the projected steps. Without --nested their settings are fixed beforehand (H = 16, weight decay 0.01, 40 epochs);
with --nested, each outer training set chooses H and the weight decay by 4 inner grouped folds (clip accuracy,
ties by log loss), and then a temperature on the inner out-of-fold logits, as train.py's nested run does for C.
"""
import argparse
import csv
import os
import sys
import time

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402  (grouped folds, ECE and log loss exactly as the shipped head is measured)

CHANNELS = 512
STEP = 2 * CHANNELS + 2
SEEDS = [int(s) for s in os.environ.get("FIGHT_FOLD_SEEDS", "0,1,2").split(",")]
FIXED = {"hidden": 16, "decay": 0.01}
GRID = [{"hidden": h, "decay": w} for h in (8, 32) for w in (0.001, 0.03)]
EPOCHS = 40
MIN_CROP = 16


class Sequences:
    def __init__(self, prefix):
        with open(prefix + ".csv", newline="") as f:
            rows = list(csv.DictReader(f))
        flat = np.fromfile(prefix + ".f32", dtype="<f4")
        total = sum(int(r["steps"]) for r in rows)
        if flat.size != total * STEP:
            sys.exit(f"{prefix}.f32 holds {flat.size} values; the index says {total} steps of {STEP}")
        flat = flat.reshape(total, STEP)
        self.longest = max(int(r["steps"]) for r in rows)
        self.X = np.zeros((len(rows), self.longest, STEP), dtype=np.float32)
        self.length = np.array([int(r["steps"]) for r in rows])
        for v, r in enumerate(rows):
            self.X[v, : self.length[v]] = flat[int(r["offset"]) : int(r["offset"]) + self.length[v]]
        paths = [r["path"] for r in rows]
        self.clip_paths = list(dict.fromkeys(paths))
        index = {p: i for i, p in enumerate(self.clip_paths)}
        self.group = np.array([index[p] for p in paths])
        self.y_view = np.array([1 if r["label"] == train.POSITIVE else 0 for r in rows])
        self.y_clip = np.zeros(len(self.clip_paths), dtype=int)
        self.y_clip[self.group] = self.y_view
        self.rows = [np.flatnonzero(self.group == c) for c in range(len(self.clip_paths))]
        self.blocks = train.block_of(self.clip_paths, train.BLOCK)

    def rows_of(self, clips):
        return np.concatenate([self.rows[c] for c in clips])

    def stats(self):
        """Per view: mean and std over its steps of a_t (the shipped head's 1,024 features)."""
        out = np.zeros((len(self.X), 2 * CHANNELS))
        for v in range(len(self.X)):
            a = self.X[v, : self.length[v], :CHANNELS].astype(np.float64)
            out[v] = np.concatenate([a.mean(0), a.std(0)])
        return out


def clip_probability(d, z, clips, temperature=1.0):
    p = 1 / (1 + np.exp(-z / temperature))
    return np.array([p[d.rows[c]].mean() for c in clips])


def fit_temperature(d, z, clips):
    y = d.y_clip[clips]
    r = minimize_scalar(lambda s: train.log_loss(clip_probability(d, z, clips, np.exp(s)), y),
                        bounds=(np.log(0.01), np.log(100.0)), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(r.x))


class Temporal(torch.nn.Module):
    def __init__(self, kind, hidden):
        super().__init__()
        self.kind = kind
        self.project = torch.nn.Linear(STEP, hidden)
        self.drop = torch.nn.Dropout(0.3)
        if kind == "conv":
            self.c1 = torch.nn.Conv1d(hidden, hidden, 3, padding=1)
            self.c2 = torch.nn.Conv1d(hidden, hidden, 3, padding=1)
        else:
            self.gru = torch.nn.GRU(hidden, hidden, batch_first=True)
        self.out = torch.nn.Linear(2 * hidden, 1)

    def forward(self, x, mask):
        h = self.drop(torch.relu(self.project(x)))  # [N, L, H]
        if self.kind == "conv":
            h = h.transpose(1, 2)
            h = torch.relu(self.c1(h))
            h = torch.relu(self.c2(h)).transpose(1, 2)
        else:
            h, _ = self.gru(h)
        m = mask.unsqueeze(-1)
        mean = (h * m).sum(1) / m.sum(1).clamp(min=1)
        peak = h.masked_fill(m == 0, -1e9).max(1).values
        return self.out(torch.cat([mean, peak], 1)).squeeze(1)


def fit_temporal(d, clips, kind, hidden, decay, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    rows = d.rows_of(clips)
    steps = np.concatenate([d.X[r, : d.length[r]] for r in rows])
    mean, std = steps.mean(0), steps.std(0) + 1e-6
    model = Temporal(kind, hidden)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=decay)
    loss = torch.nn.BCEWithLogitsLoss()
    x_all = torch.from_numpy((d.X[rows] - mean) / std)
    y_all = torch.from_numpy(d.y_view[rows].astype(np.float32))
    lengths = d.length[rows]
    for _ in range(EPOCHS):
        model.train()
        order = rng.permutation(len(rows))
        for start in range(0, len(order), 64):
            batch = order[start : start + 64]
            # A random contiguous crop of each view: a live window can catch a fight's start or end.
            n = lengths[batch]
            low = np.minimum(MIN_CROP, n)
            keep = low + np.floor(rng.random(len(batch)) * (n - low + 1)).astype(int)
            first = np.floor(rng.random(len(batch)) * (n - keep + 1)).astype(int)
            at = np.arange(d.longest)[None, :]
            mask = ((at >= first[:, None]) & (at < (first + keep)[:, None])).astype(np.float32)
            optimiser.zero_grad()
            out = model(x_all[batch], torch.from_numpy(mask))
            loss(out, y_all[batch]).backward()
            optimiser.step()
    model.eval()
    return model, mean, std


def temporal_logits(d, fitted, clips):
    model, mean, std = fitted
    z = np.full(len(d.X), np.nan)
    rows = d.rows_of(clips)
    mask = (np.arange(d.longest)[None, :] < d.length[rows][:, None]).astype(np.float32)
    with torch.no_grad():
        z[rows] = model(torch.from_numpy((d.X[rows] - mean) / std), torch.from_numpy(mask)).numpy()
    return z


def lr_logits(d, stats, train_clips, test_clips, c=0.001):
    tr, te = d.rows_of(train_clips), d.rows_of(test_clips)
    scaler = StandardScaler().fit(stats[tr])
    model = LogisticRegression(C=c, max_iter=10000).fit(scaler.transform(stats[tr]), d.y_view[tr])
    z = np.full(len(d.X), np.nan)
    z[te] = model.decision_function(scaler.transform(stats[te]))
    return z


def choose(d, clips, kind, seed):
    """Inner grouped folds on clips choose the setting (clip accuracy, ties by log loss); then T on its logits."""
    z = [np.full(len(d.X), np.nan) for _ in GRID]
    for tr, te in train.splits("grouped", seed, d.y_clip[clips], d.blocks[clips], train.INNER_FOLDS):
        for g, setting in enumerate(GRID):
            fitted = fit_temporal(d, clips[tr], kind, setting["hidden"], setting["decay"], seed)
            z[g][d.rows_of(clips[te])] = temporal_logits(d, fitted, clips[te])[d.rows_of(clips[te])]
    table = []
    for g, setting in enumerate(GRID):
        t = fit_temperature(d, z[g], clips)
        p = clip_probability(d, z[g], clips, t)
        table.append((train.accuracy(p, d.y_clip[clips]), -train.log_loss(p, d.y_clip[clips]), g, t))
    best = max(table)
    return GRID[best[2]], best[3]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefix")
    parser.add_argument("--models", default="lr,conv,gru")
    parser.add_argument("--nested", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    d = Sequences(args.prefix)
    print(f"{len(d.clip_paths)} clips, {len(d.X)} views, up to {d.longest} steps of {STEP} values; fold seeds {SEEDS}", flush=True)
    stats = d.stats() if "lr" in args.models else None
    everything = np.arange(len(d.y_clip))
    for kind in args.models.split(","):
        started = time.time()
        accuracies, raw_all, cal_all = [], [], []
        for seed in SEEDS:
            p_raw, p_cal = np.zeros(len(d.y_clip)), np.zeros(len(d.y_clip))
            for tr, te in train.splits("grouped", seed, d.y_clip, d.blocks):
                if kind == "lr":
                    z, t = lr_logits(d, stats, tr, te), 1.0
                elif args.nested:
                    setting, t = choose(d, everything[tr], kind, seed)
                    z = temporal_logits(d, fit_temporal(d, tr, kind, setting["hidden"], setting["decay"], seed), te)
                    print(f"      {kind} seed {seed}: chose {setting}, T {t:.3f}", flush=True)
                else:
                    z, t = temporal_logits(d, fit_temporal(d, tr, kind, FIXED["hidden"], FIXED["decay"], seed), te), 1.0
                p_raw[te] = clip_probability(d, z, te)
                p_cal[te] = clip_probability(d, z, te, t)
            accuracies.append(train.accuracy(p_cal, d.y_clip))
            raw_all.append(p_raw)
            cal_all.append(p_cal)
            print(f"    {kind} seed {seed}: grouped accuracy {accuracies[-1]:.3f}, ECE {train.ece(p_raw, d.y_clip):.3f} -> {train.ece(p_cal, d.y_clip):.3f}", flush=True)
        print(f"{kind}{' (nested)' if args.nested and kind != 'lr' else ''}: grouped accuracy {np.mean(accuracies):.3f} ± {np.std(accuracies):.3f} "
              f"({', '.join(f'{a:.3f}' for a in accuracies)}), ECE {np.mean([train.ece(p, d.y_clip) for p in raw_all]):.3f} -> "
              f"{np.mean([train.ece(p, d.y_clip) for p in cal_all]):.3f}, {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
