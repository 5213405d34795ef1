#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the pipeline on the sample feed
# (vtest.avi, looped through the same ffmpeg ingest as a live camera) with the embedded MQTT broker.
#   events:  mosquitto_sub -h 127.0.0.1 -t 'streamanalytics/#' -v
#   metrics: curl http://127.0.0.1:9464/metrics
# Extra arguments go to streamanalytics, e.g. ./run-demo.sh --config configs/one-camera.json
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
dotnet build src/StreamAnalytics -c Release -nologo -v quiet -clp:NoSummary
exec dotnet src/StreamAnalytics/bin/Release/net10.0/linux-x64/streamanalytics.dll "$@"
