#!/usr/bin/python3
"""Trains the fight head on features written by `streamanalytics features action` and exports it as ONNX.

Run by models/fight/train.sh (one command for the whole recipe); see docs/models-action.md.

  train.py --features FEATURES.csv --out models/fight            cross-validate, fit on all clips, export
  train.py --features FEATURES.csv --verify eval-action.json     compare the C# head's probabilities with ours
  train.py --features FEATURES.csv --study                       also cross-validate the alternatives we tried

The classifier is a standardised logistic regression over the recipe's per-view features. Every view of a
training clip (5 temporal offsets x original/mirrored) is a training sample; a clip's probability is the
mean over its views, as `score action` computes it. Only the feature columns are read: clip metadata
(fps, length, resolution) never reaches the classifier. Folds are split by clip, never by view, so the
views of one clip are never on both sides. Everything is seeded: the same features give the same head.
"""
import argparse
import csv
import hashlib
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

POSITIVE = "fight"
LABELS = ["fight", "noFight"]  # logits order in the exported head
C = 0.1  # L2 strength: 0.03-0.3 all gave 0.86 in the study; the middle one
FOLD_SEEDS = [0, 1, 2, 3, 4]
FOLDS = 5
HEAD_NAME = "fight-detector"
HEAD_VERSION = "1.0.0"


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
    return meta, X, y_view, group, y_clip, clip_paths, np.array(view_names)


def logistic():
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=10000))


def clip_probability(model, X, group, clips, view_mask=None):
    """P(fight) per clip: the mean over its views (or over the views in view_mask)."""
    p = model.predict_proba(X)[:, 1]
    keep = np.ones(len(X), dtype=bool) if view_mask is None else view_mask
    return np.array([p[(group == c) & keep].mean() for c in clips])


def cross_validate(make_model, X, y_view, group, y_clip, test_view_mask=None, train_view_mask=None):
    """Stratified 5-fold over clips, one run per fold seed. Returns per-seed accuracies and per-fold accuracies."""
    per_seed, per_fold = [], []
    for seed in FOLD_SEEDS:
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        correct = np.zeros(len(y_clip), dtype=bool)
        fold_acc = []
        for train_clips, test_clips in folds.split(np.zeros(len(y_clip)), y_clip):
            train = np.isin(group, train_clips)
            if train_view_mask is not None:
                train &= train_view_mask
            model = make_model().fit(X[train], y_view[train])
            test = np.isin(group, test_clips)
            mask = test if test_view_mask is None else test & test_view_mask
            p = clip_probability(model, X, group, test_clips, mask)
            hit = (p > 0.5) == (y_clip[test_clips] == 1)
            correct[test_clips] = hit
            fold_acc.append(float(hit.mean()))
        per_seed.append(float(correct.mean()))
        per_fold.append(fold_acc)
    return per_seed, per_fold


def head_probability(weights, bias, X, group, clips):
    """P(fight) per clip from the exported weights, in float64: softmax of X·Wᵀ + B, mean over views."""
    logits = X.astype(np.float64) @ weights.T.astype(np.float64) + bias.astype(np.float64)
    p = 1 / (1 + np.exp(logits[:, 1] - logits[:, 0]))
    return np.array([p[group == c].mean() for c in clips])


def export(model, meta, out_dir, X, group, clips):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    # Fold the standardisation into the linear layer: w·(x − μ)/σ + b = (w/σ)·x + (b − Σ w μ/σ).
    w = lr.coef_[0] / scaler.scale_
    b = lr.intercept_[0] - np.sum(lr.coef_[0] * scaler.mean_ / scaler.scale_)
    # Two logits whose softmax is the regression's sigmoid: [z/2, −z/2] for [fight, noFight].
    weights = np.stack([w / 2, -w / 2]).astype(np.float32)
    bias = np.array([b / 2, -b / 2], dtype=np.float32)
    d = weights.shape[1]
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["features", "W", "B"], ["logits"], transB=1)],
        HEAD_NAME,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", d])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])],
        [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "B")],
    )
    # The folded float32 head must still be the fitted model.
    worst = np.max(np.abs(head_probability(weights, bias, X, group, clips) - clip_probability(model, X, group, clips)))
    if worst > 1e-4:
        sys.exit(f"export: folding the standardisation changed the probabilities by up to {worst:.2e}")
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
            "length": d,
        },
        "outputs": [{"name": "logits", "role": "classLogits", "labels": LABELS}],
    }
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return head_path, weights, bias


def summary(name, per_seed, per_fold):
    return {
        "name": name,
        "mean": round(float(np.mean(per_seed)), 4),
        "std": round(float(np.std(per_seed)), 4),
        "perSeed": [round(a, 4) for a in per_seed],
        "perFold": [[round(a, 4) for a in f] for f in per_fold],
        "foldStd": round(float(np.std(np.array(per_fold))), 4),
    }


def show(s):
    print(f"  {s['name']}: {s['mean']:.3f} ± {s['std']:.3f} over fold seeds {FOLD_SEEDS} "
          f"(per seed {', '.join(f'{a:.3f}' for a in s['perSeed'])}; std over all {FOLDS * len(FOLD_SEEDS)} folds {s['foldStd']:.3f})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", required=True)
    parser.add_argument("--out", help="folder for head.onnx, model.json and training.json")
    parser.add_argument("--verify", help="an eval-action.json report of the exported head on the same features")
    parser.add_argument("--study", action="store_true", help="also cross-validate the alternatives (slow)")
    args = parser.parse_args()

    meta, X, y_view, group, y_clip, clip_paths, view_of_row = load(args.features)
    view_names = list(dict.fromkeys(view_of_row))
    if args.verify:
        return verify(args.verify, X, group, clip_paths)

    print(f"{len(clip_paths)} clips ({int(y_clip.sum())} fight), {len(view_names)} views each, {X.shape[1]} '{meta['recipe']}' features (T = {meta['frames']})", flush=True)
    print(f"Stratified {FOLDS}-fold clip accuracy, logistic regression (C = {C}):", flush=True)
    results = [summary("all views (the shipped scoring: mean over 10 views)", *cross_validate(logistic, X, y_view, group, y_clip))]
    show(results[-1])
    live_like = view_of_row == "u0.5"
    results.append(summary("one view at test (u0.5, not mirrored: what one live window sees)", *cross_validate(logistic, X, y_view, group, y_clip, test_view_mask=live_like)))
    show(results[-1])
    if args.study:
        results.append(summary("no augmentation (train and test on u0.5 only)", *cross_validate(logistic, X, y_view, group, y_clip, test_view_mask=live_like, train_view_mask=live_like)))
        show(results[-1])
        for c in [0.03, 0.3]:
            make = lambda c=c: make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=10000))
            results.append(summary(f"logistic regression C = {c}", *cross_validate(make, X, y_view, group, y_clip)))
            show(results[-1])
        mlp = lambda: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), alpha=1.0, max_iter=500, early_stopping=False, random_state=0))
        results.append(summary("MLP, one hidden layer of 64, alpha 1.0", *cross_validate(mlp, X, y_view, group, y_clip)))
        show(results[-1])

    if not args.out:
        return 0
    os.makedirs(args.out, exist_ok=True)
    model = logistic().fit(X, y_view)
    train_p = clip_probability(model, X, group, range(len(clip_paths)))
    train_accuracy = float(((train_p > 0.5) == (y_clip == 1)).mean())
    head_path, weights, bias = export(model, meta, args.out, X, group, range(len(clip_paths)))
    with open(args.features, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    training = {
        "head": {"name": HEAD_NAME, "version": HEAD_VERSION, "labels": LABELS},
        "features": {"recipe": meta["recipe"], "frames": meta["frames"], "length": int(X.shape[1]), "views": view_names,
                     "backbone": {k: meta["backbone"][k] for k in ("name", "version", "channels", "cells")},
                     "clips": len(clip_paths), "clipsPerLabel": meta["clipsPerLabel"], "sha256": digest,
                     "millisecondsPerClip": meta["millisecondsPerClip"]},
        "classifier": {"kind": "standardised L2 logistic regression, standardisation folded into one Gemm", "C": C,
                       "trainedOn": "every view of every clip", "clipProbability": "mean over views"},
        "crossValidation": {"folds": FOLDS, "stratifiedBy": "clip label", "foldSeeds": FOLD_SEEDS, "results": results},
        "trainingAccuracy": round(train_accuracy, 4),
    }
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(training, f, indent=2)
        f.write("\n")
    print(f"Fitted on all {len(clip_paths)} clips (training accuracy {train_accuracy:.3f}); wrote {head_path} "
          f"({os.path.getsize(head_path)} bytes), model.json and training.json to {args.out}", flush=True)
    return 0


def verify(report_path, X, group, clip_paths):
    """The C# head (ONNX Runtime, float32) must give what the exported weights give in numpy (float64)."""
    import onnx
    from onnx import numpy_helper

    with open(report_path) as f:
        report = json.load(f)
    head = onnx.load(os.path.join(os.path.dirname(report["model"]["manifest"]), "head.onnx"))
    tensors = {t.name: numpy_helper.to_array(t) for t in head.graph.initializer}
    ours = dict(zip(clip_paths, head_probability(tensors["W"], tensors["B"], X, group, range(len(clip_paths)))))
    worst = max(abs(r["probabilities"][POSITIVE] - ours[r["path"]]) for r in report["results"])
    if len(report["results"]) != len(clip_paths) or worst > 1e-4:
        sys.exit(f"verify: the C# head disagrees with the exported weights (largest probability difference {worst:.2e}, {len(report['results'])} clips)")
    print(f"verify: the C# head gives the exported weights' probabilities on all {len(clip_paths)} clips (largest difference {worst:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
