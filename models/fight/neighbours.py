#!/usr/bin/python3
"""How far apart in clip number do clips still share a scene? The evidence behind train.py's BLOCK.

  models/fight/neighbours.py [--manifest ../shared/data/surveillance-fight/manifest.csv]

For each clip, ffmpeg decodes the first frame to 32x24 grey; two clips "share a first frame" when the
Pearson correlation of those thumbnails exceeds 0.8. Prints, per class, the share of pairs that do at each
gap in clip number, against any two clips of the class, and the same for fiN against nofiN. Needs ffmpeg
and numpy; reads the clips, writes nothing. See docs/models-action.md (Grouped folds).
"""
import argparse
import csv
import itertools
import os
import re
import subprocess

import numpy as np

THRESHOLD = 0.8
GAPS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 20]


def thumbnail(path):
    raw = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", path, "-frames:v", "1", "-vf", "scale=32:24,format=gray",
                          "-f", "rawvideo", "-"], check=True, capture_output=True, stdin=subprocess.DEVNULL).stdout
    x = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
    return (x - x.mean()) / (x.std() + 1e-6)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", default="../shared/data/surveillance-fight/manifest.csv")
    args = parser.parse_args()
    root = os.path.dirname(os.path.abspath(args.manifest))
    with open(args.manifest, newline="") as f:
        clips = [(row["path"], row["label"]) for row in csv.DictReader(f)]
    thumbs = {}
    for path, label in clips:
        number = int(re.search(r"(\d+)$", os.path.splitext(os.path.basename(path))[0]).group(1))
        thumbs[(label, number)] = thumbnail(os.path.join(root, path))

    def share(a, b):
        return float(np.mean(thumbs[a] * thumbs[b])) > THRESHOLD

    labels = sorted({label for _, label in clips})
    for label in labels:
        keys = sorted(k for k in thumbs if k[0] == label)
        pairs = list(itertools.combinations(keys, 2))
        print(f"{label}: any two clips share a first frame {np.mean([share(a, b) for a, b in pairs]):.3f} ({len(pairs)} pairs)")
        for gap in GAPS:
            at = [(a, b) for a, b in pairs if b[1] - a[1] == gap]
            print(f"  {gap:2d} apart: {np.mean([share(a, b) for a, b in at]):.3f} ({len(at)} pairs)")
    if len(labels) == 2:
        same = [((labels[0], n), (labels[1], n)) for (l, n) in thumbs if l == labels[0] and (labels[1], n) in thumbs]
        print(f"{labels[0]}N and {labels[1]}N (same number): {np.mean([share(a, b) for a, b in same]):.3f} ({len(same)} pairs)")
        cross = [(a, b) for a in thumbs if a[0] == labels[0] for b in thumbs if b[0] == labels[1]]
        print(f"any {labels[0]} and {labels[1]} clip: {np.mean([share(a, b) for a, b in cross]):.3f} ({len(cross)} pairs)")


if __name__ == "__main__":
    main()
