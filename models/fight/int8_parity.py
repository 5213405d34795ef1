#!/usr/bin/python3
"""What the INT8 backbone does to the fight head's accuracy: the same clips' features from the FP32 file and from
the INT8 variant (`streamanalytics features action --precision fp32|auto`), the same folds, the head's own recipe
(standardised L2 logistic regression, C = 0.1, a clip's probability the mean over its views).

  int8_parity.py FP32_FEATURES.csv INT8_FEATURES.csv

For each fold it fits on the FP32 features of the training clips, as train.sh does, and scores the held-out clips
twice: with their FP32 features and with their INT8 features (the CPU's case: a head trained on FP32 features, run
live on INT8 ones). It also fits and scores on INT8 features alone. Folds: stratified 5-fold over 5 seeds, and
grouped 5-fold where a group is a block of 10 neighbouring clip numbers of one class (neighbours often come from
the same source video). See docs/models.md, "INT8 backbone".
"""
import csv
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

C = 0.1


def load(path):
    rows = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            rows[(row[0], row[2])] = (row[1], np.array(row[3:], dtype=np.float32))
    return rows


def head():
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))


def clip_accuracy(model, X, view_clip, test_clips, y_clip):
    p = model.predict_proba(X)[:, 1]
    per_clip = np.array([p[view_clip == c].mean() for c in test_clips])
    return ((per_clip > 0.5) == y_clip[test_clips]).mean()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    fp32, int8 = load(sys.argv[1]), load(sys.argv[2])
    keys = sorted(fp32)
    if set(keys) != set(int8):
        sys.exit("the two files do not hold the same clip views")
    clips = sorted({k[0] for k in keys})
    label = {k[0]: fp32[k][0] for k in keys}
    y_clip = np.array([1 if label[c] == "fight" else 0 for c in clips])
    index = {c: i for i, c in enumerate(clips)}
    Xa = np.stack([fp32[k][1] for k in keys])
    Xb = np.stack([int8[k][1] for k in keys])
    view_clip = np.array([index[k[0]] for k in keys])
    y_view = y_clip[view_clip]

    def number(clip):
        return int("".join(ch for ch in clip.split("/")[-1] if ch.isdigit()))

    blocks = sorted({(label[c], number(c) // 10) for c in clips})
    block_of = {b: i for i, b in enumerate(blocks)}
    groups = np.array([block_of[(label[c], number(c) // 10)] for c in clips])

    splits = {
        "stratified 5-fold x 5 seeds": [s for seed in range(5) for s in StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(clips)), y_clip)],
        "grouped 5-fold (blocks of 10 clip numbers)": list(GroupKFold(5).split(np.zeros(len(clips)), y_clip, groups)),
    }
    for name, folds in splits.items():
        on_fp32, on_int8, int8_only = [], [], []
        for train, test in folds:
            tr, te = np.isin(view_clip, train), np.isin(view_clip, test)
            model = head().fit(Xa[tr], y_view[tr])
            on_fp32.append(clip_accuracy(model, Xa[te], view_clip[te], test, y_clip))
            on_int8.append(clip_accuracy(model, Xb[te], view_clip[te], test, y_clip))
            int8_only.append(clip_accuracy(head().fit(Xb[tr], y_view[tr]), Xb[te], view_clip[te], test, y_clip))
        print(f"{name}: trained on FP32 features, held-out clips scored on FP32 {np.mean(on_fp32):.4f}, on INT8 {np.mean(on_int8):.4f} "
              f"(difference {np.mean(on_int8) - np.mean(on_fp32):+.4f}); trained and scored on INT8 {np.mean(int8_only):.4f}")


if __name__ == "__main__":
    main()
