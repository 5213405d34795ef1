#!/usr/bin/python3
"""What the INT8 backbone does to the fight head's accuracy. The same clips' features from the FP32 file and from the
INT8 variant (`streamanalytics features action --precision fp32` and `--precision auto`), train.py's own folds
(random and grouped, FOLD_SEEDS), and the shipped head's configuration (head 1.1.0: local map change only, C = 0.001).

  int8_parity.py FP32_FEATURES.csv INT8_FEATURES.csv

Each fold fits on the FP32 features of its training clips, as train.sh does. It then scores the held-out clips twice:
with their FP32 features, and with their INT8 features. The second is the CPU's case: a head trained on FP32
features and run live on INT8 ones. Clip accuracy is the mean over folds and seeds. See docs/models.md,
"INT8 backbone".
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402  (the head's own recipe: folds, parts, fit)

C_SHIPPED = 0.001
PARTS_SHIPPED = ("local",)


def load_pair(doc):
    """The two feature files named on the command line, checked to hold the same clip views in the same order."""
    if len(sys.argv) != 3:
        sys.exit(doc)
    _, first = train.load(sys.argv[1])
    _, second = train.load(sys.argv[2])
    if first.clip_paths != second.clip_paths or not np.array_equal(first.view_of_row, second.view_of_row):
        sys.exit("the two files do not hold the same clip views in the same order")
    return first, second


def main():
    fp32, int8 = load_pair(__doc__)
    columns = train.Parts(fp32.X.shape[1]).columns(PARTS_SHIPPED)
    for kind in ("random", "grouped"):
        on_fp32, on_int8 = [], []
        for seed in train.FOLD_SEEDS:
            for train_clips, test_clips in train.splits(kind, seed, fp32.y_clip, fp32.blocks):
                model = train.fit(fp32, train_clips, C_SHIPPED, columns)
                for d, out in ((fp32, on_fp32), (int8, on_int8)):
                    p = train.clip_probability_from_logits(d, train.logits(model, d, test_clips, columns), test_clips)
                    out.append(train.accuracy(p, d.y_clip[test_clips]))
        print(f"{kind} folds, seeds {train.FOLD_SEEDS}: held-out clips scored on FP32 features {np.mean(on_fp32):.4f}, "
              f"on INT8 features {np.mean(on_int8):.4f} (difference {np.mean(on_int8) - np.mean(on_fp32):+.4f})")


if __name__ == "__main__":
    main()
