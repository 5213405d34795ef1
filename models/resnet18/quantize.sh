#!/usr/bin/env bash
# Writes models/resnet18/ResNet18.int8.onnx (the CPU's INT8 variant of the shipped ResNet-18) and
# models/resnet18/quantization.json, in one command, from the repository root or anywhere:
#   models/resnet18/quantize.sh
# Calibration: normal footage only, every 6th frame of Ped2 training videos 1-12 and of OpenCV's vtest.avi
# (a colour street scene). Ped2 training videos 13-16, never calibrated on, choose the range method.
# The parity figures (docs/models.md) are measured on other footage still: Ped2 test videos and the fight clips.
# Needs Debian's python3-onnx, python3-torch and ffmpeg (installed here if missing, through apt-get).
# Environment: PED2_TRAIN (default ../shared/data/ucsd-ped2/train, relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/install-deps.sh python3-numpy python3-onnx python3-torch   # and ffmpeg, opencv-doc (vtest.avi), only what is missing

train=${PED2_TRAIN:-../shared/data/ucsd-ped2/train}
fp32="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
if [[ ! -f "$fp32" ]]; then
  echo "Restoring the FP32 ResNet-18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1)"
  dotnet restore src/StreamAnalytics/StreamAnalytics.csproj -nologo -v q
fi
[[ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ]] || { echo "vtest.avi not found (opencv-doc)" >&2; exit 1; }

calibrate=()
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do calibrate+=("$train/train$i.mp4"); done
calibrate+=(/usr/share/doc/opencv-doc/examples/data/vtest.avi)
hold=()
for i in 13 14 15 16; do hold+=("$train/train$i.mp4"); done

/usr/bin/python3 models/resnet18/quantize.py --model "$fp32" --calibrate "${calibrate[@]}" --hold-out "${hold[@]}" \
  --out models/resnet18/ResNet18.int8.onnx --report models/resnet18/quantization.json
