#!/usr/bin/env bash
# GPU throughput check: StreamAnalytics' own ONNX Runtime path (CUDA provider) next to PyTorch eager
# fp16, on a Linux machine with an NVIDIA GPU. Two halves:
#
# 1. On a build machine (Debian, .NET 10 SDK), from the repository:
#      deploy/gpu/run-gpu-check.sh [--out DIR] [--models DIR | --no-models] [--split 60M] [--zstd]
#    publishes bench/StreamAnalytics.GpuBench self-contained for linux-x64 (ONNX Runtime's CUDA provider,
#    libonnxruntime_providers_cuda.so, 284 MB, comes from Microsoft.ML.OnnxRuntime.Gpu.Linux), exports
#    torchvision's r3d_18 with random weights (float32 and float16, with export.py --sample) when this
#    machine's /usr/bin/python3 has torch and torchvision, or takes pre-exported model folders from
#    --models DIR, and packs it all into one tarball: DIR/streamanalytics-gpu-check.tar.gz (+ .sha256).
#    --split SIZE also cuts it into SIZE pieces for size-limited transfers. Random weights do not compress:
#    r3d_18 adds ~190 MB; --no-models leaves it out and --run then exports it with the GPU machine's PyTorch.
#
# 2. On the GPU machine (CUDA 13, cuDNN 9; no dotnet needed), after unpacking:
#      streamanalytics-gpu-check/run-gpu-check.sh --run [--seconds 20] [--batches 1,8,32] [--report FILE]
#    runs nvidia-smi, then the benchmark for the shipped ResNet-18 (frames/s), r3d_18 float32 (clips/s,
#    with PyTorch eager fp16 on the same model, batches and machine in the same run) and r3d_18 float16,
#    and writes a Markdown report. Environment: CUDA_LIB (folder with libcublasLt.so.13; default
#    /usr/local/cuda-13.0/targets/x86_64-linux/lib or the first cuda-13 folder found), PYTHON (a Python
#    with torch + CUDA; default: the first of python3, /usr/bin/python3 that has it).
#    LD_LIBRARY_PATH is set for the benchmark process only (CUDA 13 + /lib/x86_64-linux-gnu + the
#    publish folder): PyTorch, started without it, would otherwise pick the system cuDNN and refuse to start.
#    --provider cpu does a dry run of the same steps on CPU (PyTorch fp32 on CPU), on any machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bundle=streamanalytics-gpu-check

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

log() { echo "[gpu-check] $*" >&2; }

# A Python that can import the given modules (and, for "cuda", sees a GPU); empty if none.
find_python() {
  local need=$1 check candidates=()
  [[ -n "${PYTHON:-}" ]] && candidates+=("$PYTHON")
  candidates+=(python3 /usr/bin/python3)
  case $need in
    export) check='import torch, torchvision' ;;
    cuda) check='import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ;;
    cpu) check='import torch, torchvision' ;;
  esac
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && env -u LD_LIBRARY_PATH "$py" -c "$check" >/dev/null 2>&1; then
      echo "$py"
      return
    fi
  done
}

# export.py into DIR/r3d_18 (float32) and DIR/r3d_18-fp16 (when the onnx package is there).
export_r3d() {
  local py=$1 script=$2 models=$3
  log "exporting r3d_18 (random weights) with $py"
  env -u LD_LIBRARY_PATH "$py" "$script" --model r3d_18 --random-weights --sample --out "$models/r3d_18"
  if env -u LD_LIBRARY_PATH "$py" -c 'import onnx' >/dev/null 2>&1; then
    env -u LD_LIBRARY_PATH "$py" "$script" --model r3d_18 --random-weights --sample --fp16 --out "$models/r3d_18-fp16"
  else
    log "no onnx package for $py: no float16 variant (apt-get install python3-onnx, or pip install onnx)"
  fi
}

build() {
  local repo out models_in="" split="" compress=gzip no_models=0
  repo=$(cd "$here/../.." && pwd)
  out="$repo/artifacts/gpu-check"
  while (($#)); do
    case $1 in
      --out) out=$(realpath -m "$2"); shift 2 ;;
      --models) models_in=$(realpath "$2"); shift 2 ;;
      --split) split=$2; shift 2 ;;
      --zstd) compress=zstd; shift ;;
      --no-models) no_models=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) echo "Unknown option '$1'." >&2; usage >&2; exit 2 ;;
    esac
  done
  command -v dotnet >/dev/null || { echo "The build half needs the .NET 10 SDK (dotnet on PATH)." >&2; exit 1; }

  local stage="$out/$bundle"
  rm -rf "$stage"
  mkdir -p "$stage/models"
  log "publishing bench/StreamAnalytics.GpuBench (self-contained, linux-x64) into $stage/bench"
  dotnet publish "$repo/bench/StreamAnalytics.GpuBench/StreamAnalytics.GpuBench.csproj" -c Release -r linux-x64 --self-contained \
    -o "$stage/bench" -nologo -v quiet >&2
  for required in StreamAnalytics.GpuBench libonnxruntime.so libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so \
                  pytorch_bench.py models/resnet18/model.json models/resnet18/ResNet18.onnx; do
    [[ -e "$stage/bench/$required" ]] || { echo "publish output lacks $required" >&2; exit 1; }
  done
  cp "${BASH_SOURCE[0]}" "$stage/run-gpu-check.sh"
  cp "$repo/models/torchvision-video/export.py" "$stage/export.py"
  chmod +x "$stage/run-gpu-check.sh"

  if ((no_models)); then
    log "--no-models: --run exports r3d_18 on the GPU machine (its Python needs torch and torchvision; onnx for float16)"
  elif [[ -n "$models_in" ]]; then
    log "taking pre-exported models from $models_in"
    local found=0
    for manifest in "$models_in"/*/model.json "$models_in"/model.json; do
      [[ -f "$manifest" ]] || continue
      cp -r "$(dirname "$manifest")" "$stage/models/"
      found=1
    done
    ((found)) || { echo "--models $models_in holds no model.json (expected DIR/<name>/model.json)" >&2; exit 1; }
  else
    local py
    py=$(find_python export)
    if [[ -n "$py" ]]; then
      export_r3d "$py" "$repo/models/torchvision-video/export.py" "$stage/models"
    else
      log "no torch/torchvision here: r3d_18 is not in the bundle; --run exports it on the GPU machine if its Python has torch"
      log "(or install python3-torch python3-torchvision python3-onnx here, or pass --models DIR)"
    fi
  fi

  local tarball
  log "packing (${compress})"
  if [[ $compress == zstd ]]; then
    command -v zstd >/dev/null || { echo "--zstd needs zstd" >&2; exit 1; }
    tarball="$out/$bundle.tar.zst"
    tar -C "$out" -I 'zstd -T0 -12 --long=27' -cf "$tarball" "$bundle"
  else
    tarball="$out/$bundle.tar.gz"
    if command -v pigz >/dev/null; then
      tar -C "$out" -I pigz -cf "$tarball" "$bundle"
    else
      tar -C "$out" -czf "$tarball" "$bundle"
    fi
  fi
  (cd "$out" && sha256sum "$(basename "$tarball")" > "$(basename "$tarball").sha256")
  local name unpack
  name=$(basename "$tarball")
  if [[ $compress == zstd ]]; then unpack="zstd -d --long=27 -c $name | tar -xf -"; else unpack="tar -xzf $name"; fi
  echo
  echo "Bundle: $tarball ($(du -h "$tarball" | cut -f1)); contents: $(du -sh "$stage" | cut -f1) unpacked"
  echo "Models: $(cd "$stage/models" && ls -d */ 2>/dev/null | tr -d / | tr '\n' ' ')resnet18 (in bench/models)"
  if [[ -n "$split" ]]; then
    rm -f "$tarball".part-*
    split -b "$split" -d -a 3 "$tarball" "$tarball.part-"
    echo "Split into $(ls "$tarball".part-* | wc -l) pieces of at most $split: $tarball.part-*"
    echo "On the GPU machine: cat $name.part-* > $name && sha256sum -c $name.sha256 && $unpack && $bundle/run-gpu-check.sh --run"
  else
    echo "On the GPU machine: sha256sum -c $name.sha256 && $unpack && $bundle/run-gpu-check.sh --run"
  fi
}

run() {
  local seconds=20 batches=1,8,32 report="" provider=cuda
  while (($#)); do
    case $1 in
      --seconds) seconds=$2; shift 2 ;;
      --batches) batches=$2; shift 2 ;;
      --report) report=$(realpath -m "$2"); shift 2 ;;
      --provider) provider=$2; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "Unknown option '$1'." >&2; usage >&2; exit 2 ;;
    esac
  done
  local bench="$here/bench/StreamAnalytics.GpuBench"
  [[ -x "$bench" ]] || { echo "No $bench: run --run from the unpacked $bundle folder (build it with this script on a machine with dotnet)." >&2; exit 1; }
  report=${report:-"$here/gpu-report-$(hostname -s)-$(date -u +%Y%m%d-%H%M).md"}

  # ONNX Runtime's CUDA provider: CUDA 13 (libcublasLt.so.13, libcurand.so.10, ...) and cuDNN 9.
  local cuda_lib=${CUDA_LIB:-}
  if [[ -z "$cuda_lib" ]]; then
    for candidate in /usr/local/cuda-13.0/targets/x86_64-linux/lib /usr/local/cuda-13*/targets/x86_64-linux/lib \
                     /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib64; do
      if [[ -e "$candidate/libcublasLt.so.13" ]]; then cuda_lib=$candidate; break; fi
    done
  fi
  if [[ $provider == cuda && ( -z "$cuda_lib" || ! -e "$cuda_lib/libcublasLt.so.13" ) ]]; then
    log "WARNING: no libcublasLt.so.13 found (set CUDA_LIB): ONNX Runtime will fall back to CPU and the check fails"
  fi
  local ort_ld="${cuda_lib:+$cuda_lib:}/lib/x86_64-linux-gnu:$here/bench"

  local py torch_device torch_dtype
  if [[ $provider == cuda ]]; then
    py=$(find_python cuda); torch_device=cuda; torch_dtype=fp16
  else
    py=$(find_python cpu); torch_device=cpu; torch_dtype=fp32
  fi
  if [[ ! -f "$here/models/r3d_18/model.json" ]]; then
    local exporter
    exporter=$(find_python export)
    if [[ -n "$exporter" ]]; then
      export_r3d "$exporter" "$here/export.py" "$here/models"
    else
      log "no r3d_18 in the bundle and no Python with torch + torchvision here: r3d_18 is skipped"
    fi
  fi

  {
    echo "# StreamAnalytics GPU check, $(hostname -s), $(date -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "Command: \`$0 --run --seconds $seconds --batches $batches --provider $provider\`; ONNX Runtime's LD_LIBRARY_PATH: \`$ort_ld\`;"
    echo "PyTorch: ${py:-none found} (started without that LD_LIBRARY_PATH)."
    echo
    echo '```'
    if command -v nvidia-smi >/dev/null; then
      nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 || true
      nvidia-smi 2>&1 || true
    else
      echo "nvidia-smi: not found"
    fi
    echo '```'
    echo
  } > "$report"

  local failures=0 strict=()
  [[ $provider == cuda ]] && strict=(--require-provider)
  step() {
    local what=$1; shift
    log "$what"
    local status=0
    env LD_LIBRARY_PATH="$ort_ld" GPUBENCH_PYTORCH_LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" \
      "$bench" --provider "$provider" --batches "$batches" --seconds "$seconds" --out "$report" "${strict[@]}" "$@" || status=$?
    if ((status)); then
      failures=$((failures + 1))
      printf '\n**%s: the benchmark exited with %s** (2: bad model, 3: not on %s, 4: output differs from PyTorch).\n\n' "$what" "$status" "$provider" >> "$report"
    fi
  }

  step "ResNet-18 (the shipped per-frame encoder)" --manifest "$here/bench/models/resnet18/model.json"
  if [[ -f "$here/models/r3d_18/model.json" ]]; then
    local torch_args=()
    if [[ -n "$py" ]]; then
      torch_args=(--pytorch --python "$py" --pytorch-device "$torch_device" --pytorch-dtype "$torch_dtype")
    else
      log "no Python with torch (and CUDA) found: PyTorch is not measured (set PYTHON)"
    fi
    step "r3d_18 float32" --manifest "$here/models/r3d_18/model.json" --check-sample "${torch_args[@]}"
  fi
  if [[ -f "$here/models/r3d_18-fp16/model.json" ]]; then
    step "r3d_18 float16" --manifest "$here/models/r3d_18-fp16/model.json" --check-sample
  fi
  for manifest in "$here"/models/*/model.json; do
    case $(basename "$(dirname "$manifest")") in r3d_18|r3d_18-fp16) continue ;; esac
    [[ -f "$manifest" ]] && step "$(basename "$(dirname "$manifest")")" --manifest "$manifest" --check-sample
  done

  echo
  cat "$report"
  log "report: $report ($failures failed step(s))"
  ((failures == 0))
}

if [[ "${1:-}" == "--run" ]]; then
  shift
  run "$@"
else
  build "$@"
fi
