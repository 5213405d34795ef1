#!/usr/bin/python3
"""What a student backbone does to the fight head's accuracy. The same clips' features from the shipped ResNet-18 and
from the student (`streamanalytics features action --backbone MANIFEST --precision auto`: the INT8 variants the CPU runs).

  fight_parity.py TEACHER_FEATURES.csv STUDENT_FEATURES.csv

A head on a student is trained on the student's own features, so each fold fits the shipped head's configuration
(head 1.1.0: local map change only, C = 0.001) once on each set of features, with train.py's own random and grouped
folds (FOLD_SEEDS), and scores the held-out clips on the same set. Clip accuracy is the mean over folds and seeds.
See docs/models.md, "Distilled student backbone".
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fight"))
import train  # noqa: E402  (the head's own recipe: folds, parts, fit)
from int8_parity import C_SHIPPED, PARTS_SHIPPED, load_pair  # noqa: E402  (the same head configuration and file check)


def main():
    teacher, student = load_pair(__doc__)
    for kind in ("random", "grouped"):
        scores = {"teacher": [], "student": []}
        for seed in train.FOLD_SEEDS:
            for train_clips, test_clips in train.splits(kind, seed, teacher.y_clip, teacher.blocks):
                for name, d in (("teacher", teacher), ("student", student)):
                    columns = train.Parts(d.X.shape[1]).columns(PARTS_SHIPPED)
                    model = train.fit(d, train_clips, C_SHIPPED, columns)
                    p = train.clip_probability_from_logits(d, train.logits(model, d, test_clips, columns), test_clips)
                    scores[name].append(train.accuracy(p, d.y_clip[test_clips]))
        t, s = np.mean(scores["teacher"]), np.mean(scores["student"])
        print(f"{kind} folds, seeds {train.FOLD_SEEDS}: held-out clip accuracy, teacher {t:.4f}, student {s:.4f} (difference {s - t:+.4f})")


if __name__ == "__main__":
    main()
