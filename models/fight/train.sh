#!/usr/bin/env bash
# Trains the fight/noFight action head from the shared clips, in one command, from the repository root or anywhere:
#   models/fight/train.sh [--refresh] [--study]
# Writes models/fight/head.onnx (the head: one Gemm, standardisation folded in), model.json (its manifest)
# and training.json (the cross-validation figures). See docs/models-action.md.
#  1. Installs the Debian packages train.py needs if they are missing: python3-numpy python3-sklearn
#     python3-onnx (apt-get; through sudo when not root). Nothing comes from pip.
#  2. Builds the product (Release) and runs `streamanalytics features action --precision fp32` (the head learns from
#     the FP32 backbone; the CPU runs its INT8 variant live, at the parity in docs/models.md): every clip is decoded by the
#     product's ffmpeg ingest and encoded by the shipped ResNet-18; the feature recipe is the C# code the
#     live pipeline runs. This takes ~10 min on 2 cores, so the result is cached under $FIGHT_FEATURES_DIR
#     (default /tmp/streamanalytics-fight), keyed by the clip manifest and the source files that define the
#     features; --refresh recomputes it anyway.
#  3. train.py: 5-fold clip accuracy over 5 fold seeds, random folds and grouped folds (blocks of 10
#     neighbouring clip numbers kept whole: neighbours often come from one source video); then nested grouped
#     folds that choose C, the feature parts and a temperature inside each training set (accuracy and ECE);
#     then the same choice on all clips, the fit and the export, temperature folded into the weights
#     (--study also cross-validates the alternatives we tried).
#  4. Checks the exported head in C#: `eval action --features` must give the probabilities numpy gives.
# Environment: FIGHT_MANIFEST (default ../shared/data/surveillance-fight/manifest.csv, relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."

refresh=0
study=()
for arg in "$@"; do
  case "$arg" in
    --refresh) refresh=1 ;;
    --study) study=(--study) ;;
    *) echo "usage: models/fight/train.sh [--refresh] [--study]" >&2; exit 2 ;;
  esac
done

manifest=${FIGHT_MANIFEST:-../shared/data/surveillance-fight/manifest.csv}
cache=${FIGHT_FEATURES_DIR:-/tmp/streamanalytics-fight}
python=/usr/bin/python3   # Debian's: the first python3 on PATH may be another build without these packages

bash scripts/install-deps.sh python3-numpy python3-sklearn python3-onnx   # and ffmpeg, opencv-doc (vtest.avi), only what is missing

echo "Building the product (Release)"
dotnet build src/StreamAnalytics/StreamAnalytics.csproj -c Release -nologo -v q -clp:ErrorsOnly
exe=src/StreamAnalytics/bin/Release/net10.0/linux-x64/streamanalytics

# The features change when the clips or any code that produces them changes.
key=$(cat "$manifest" \
  src/StreamAnalytics/Heads/Action/ClipFeatureRecipe.cs \
  src/StreamAnalytics/Tools/Actions/ClipEmbedder.cs \
  src/StreamAnalytics/Tools/OfflineVideo.cs \
  src/StreamAnalytics/Windowing/FramePreprocessor.cs \
  models/resnet18/model-featuremap.json | sha256sum | cut -c1-16)
features="$cache/features-$key.csv"
mkdir -p "$cache"
if [[ $refresh -eq 1 || ! -s "$features" || ! -s "${features%.csv}.json" ]]; then
  echo "Extracting features of every clip in $manifest (about 2.5 s per clip on 2 cores)"
  "$exe" features action --manifest "$manifest" --out "$features" --precision fp32
else
  echo "Reusing $features (same clips, same feature code; --refresh recomputes)"
fi

"$python" models/fight/train.py --features "$features" --out models/fight "${study[@]}"

echo "Checking the exported head in C# on the training features"
"$exe" eval action --model "$PWD/models/fight/model.json" --features "$features" --precision fp32 --report "$cache/eval-train-$key.json"
"$python" models/fight/train.py --features "$features" --verify "$cache/eval-train-$key.json"
