#!/usr/bin/env bash
# False incidents of the motion anomaly head on normal footage, training videos held out in turn (two folds:
# learn on one half of the Ped2 training videos, replay the other half as a camera would, and the reverse).
# Issue 10 item 4; figures in docs/models.md. From the repository root, after a Release build:
#   scripts/false-incidents.sh [TRAIN_DIR] [WORK_DIR]
# Each half's videos are listed in a labels.json with no anomalous range, so every incident `eval anomaly`
# replays on them (live window schedule, IncidentTracker, default lifecycle) is a false one.
set -euo pipefail
cd "$(dirname "$0")/.."
train=$(realpath "${1:-../shared/data/ucsd-ped2/train}")
work=${2:-$(mktemp -d)}
sa=src/StreamAnalytics/bin/Release/net10.0/linux-x64/streamanalytics
mkdir -p "$work"
odd=(); even=()
for f in "$train"/train*.mp4; do
  n=$((10#$(basename "$f" .mp4 | tr -dc 0-9)))
  if ((n % 2)); then odd+=("$f"); else even+=("$f"); fi
done

fold() {  # fold NAME LEARN... -- REPLAY...
  local name=$1; shift
  local learn=() replay=()
  while [[ $1 != -- ]]; do learn+=("$1"); shift; done; shift
  replay=("$@")
  mkdir -p "$work/$name"
  "$sa" learn --out "$work/$name/state" --camera "$name" --input "${learn[@]}" >/dev/null
  local entries=()
  for f in "${replay[@]}"; do
    ln -sf "$f" "$work/$name/$(basename "$f")"
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$f")
    entries+=("\"$(basename "$f")\": {\"frames\": $frames}")
  done
  (IFS=,; echo "{\"fps\": 10, \"videos\": {${entries[*]}}}") > "$work/$name/labels.json"
  echo "== learned on ${#learn[@]} videos, replayed ${#replay[@]} held-out normal videos ($name)"
  "$sa" eval anomaly --state "$work/$name/state" --labels "$work/$name/labels.json" --report "$work/$name/report.json" | grep '^Events'
}

fold learn-odd "${odd[@]}" -- "${even[@]}"
fold learn-even "${even[@]}" -- "${odd[@]}"
echo "Reports under $work"
