#!/usr/bin/env bash
# The motion head's noise controls against what they cost (issue 10 item 6; table in docs/models.md, "Noise controls").
# For each setting: event recall and time to alert on the labelled Ped2 test videos (state learned on all 16 training
# videos), and false incidents on normal footage held out in turn (the two folds of scripts/false-incidents.sh).
# From the repository root, after a Release build:
#   scripts/noise-tradeoff.sh [SHARED_PED2_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ped2=$(realpath "${1:-../shared/data/ucsd-ped2}")
work=${2:-$(mktemp -d)}
sa=src/StreamAnalytics/bin/Release/net10.0/linux-x64/streamanalytics
mkdir -p "$work"
# The two folds' states and their held-out labels (every incident on them is a false one).
scripts/false-incidents.sh "$ped2/train" "$work" >/dev/null
[[ -f "$work/all.state" ]] || "$sa" learn --out "$work/all.state" --camera ped2 --input "$ped2/train" >/dev/null

echo "| sensitivity | min cells | min duration (s) | frame AUC | segments with an incident | median / max time to alert (s) | false incidents | normal footage (s) | per hour |"
echo "|---|---|---|---|---|---|---|---|---|"
for setting in "1 1 0" "0.8 1 0" "0.67 1 0" "1 2 0" "1 3 0" "1 1 1" "1 1 2" "0.8 2 1"; do
  read -r s c d <<< "$setting"
  args=(--sensitivity "$s" --min-cells "$c" --min-duration "$d")
  "$sa" eval anomaly --state "$work/all.state" --labels "$ped2/test/labels.json" --report "$work/test.json" "${args[@]}" >/dev/null
  for fold in learn-odd learn-even; do
    "$sa" eval anomaly --state "$work/$fold/state" --labels "$work/$fold/labels.json" --report "$work/$fold.json" "${args[@]}" >/dev/null
  done
  python3 - "$work" "$s" "$c" "$d" <<'PY'
import json, statistics, sys
work, s, c, d = sys.argv[1:]
test = json.load(open(f"{work}/test.json"))
e = test["events"]
alerts = e["secondsToAlert"]
folds = [json.load(open(f"{work}/{f}.json"))["events"] for f in ("learn-odd", "learn-even")]
false = sum(f["falseIncidents"] for f in folds)
normal = sum(f["normalSeconds"] for f in folds)
alert = f"{statistics.median(alerts):.1f} / {max(alerts):.1f}" if alerts else "–"
print(f"| {s} | {c} | {d} | {test['microAuc']:.3f} | {e['segmentsWithIncident']} of {e['segments']} | {alert} | {false} | {normal:.0f} | {false * 3600 / normal:.0f} |")
PY
done
