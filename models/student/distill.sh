#!/usr/bin/env bash
# Writes the distilled student backbone: models/student/student.onnx (FP32) and student.int8.onnx (the CPU's variant,
# quantized as models/resnet18/quantize.sh quantizes the teacher) with quantization.json, in one command, from the
# repository root or anywhere:
#   models/student/distill.sh
# About 27 minutes on the 2-core VM: decoding and the teacher's maps (7 minutes, cached under
# $STUDENT_CACHE, default /tmp/streamanalytics-student), 16 epochs of about 70 s, then the quantization (1 minute).
# Needs Debian's python3-onnx, python3-torch and ffmpeg (installed here if missing, through apt-get), and the shared
# footage (SHARED_DATA, default ../shared/data relative to the repository root). See docs/models.md,
# "Distilled student backbone".
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/install-deps.sh python3-numpy python3-onnx python3-torch

data=${SHARED_DATA:-../shared/data}
cache=${STUDENT_CACHE:-/tmp/streamanalytics-student}
fp32="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
if [[ ! -f "$fp32" ]]; then
  echo "Restoring the FP32 ResNet-18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1)"
  dotnet restore src/StreamAnalytics/StreamAnalytics.csproj -nologo -v q
fi

# glibc would otherwise hand every step's large activations back to the system and fault them in again.
MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
  /usr/bin/python3 models/student/distill.py --teacher "$fp32" --keep 0.25 --epochs 16 --lr 1e-3 \
  --data "$data" --cache "$cache/frames.npz" --out models/student/student.onnx

train="$data/ucsd-ped2/train"
calibrate=()
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do calibrate+=("$train/train$i.mp4"); done
calibrate+=(/usr/share/doc/opencv-doc/examples/data/vtest.avi)
hold=()
for i in 13 14 15 16; do hold+=("$train/train$i.mp4"); done
/usr/bin/python3 models/resnet18/quantize.py --model models/student/student.onnx --calibrate "${calibrate[@]}" --hold-out "${hold[@]}" \
  --out models/student/student.int8.onnx --report models/student/quantization.json
