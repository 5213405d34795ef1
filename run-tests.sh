#!/usr/bin/env bash
# Runs every test: installs what the tests need (mosquitto, gst-rtsp-server, ffmpeg, ...), builds,
# and runs unit and integration tests. Tests start and stop their own mosquitto and RTSP servers
# on loopback. Needs ../shared/data beside the repository (the footage the tests stream).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh --tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test StreamAnalytics.sln -c Release -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# dotnet test's summary, restated in the plain form CI reads.
total() { grep -oE "$1: +[0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
if [[ $status -eq 0 || $(total Failed) -gt 0 ]]; then
  echo "Tests: $(total Passed) passed, $(total Failed) failed, $(total Skipped) skipped"
else
  echo "Tests did not run to completion (dotnet test exited with $status)"
fi
exit "$status"
