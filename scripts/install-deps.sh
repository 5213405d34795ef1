#!/usr/bin/env bash
# Installs the Debian packages StreamAnalytics needs, only those missing (idempotent).
#   runtime: ffmpeg (decodes every camera), libgtk-3-0 and libatomic1 (OpenCvSharp's native library links them; a
#            bare Debian has no libatomic1, and the container image showed every camera failing without it),
#            opencv-doc (ships vtest.avi, the demo's sample street scene)
#   tests:   mosquitto (a real broker), gst-rtsp-server + python3-gi (a real RTSP server), systemd (systemd-analyze),
#            python3-torch + python3-torchvision + python3-onnx (models/torchvision-video/export.py is tested end to
#            end; ~114 MB download, 125 packages, ~30 s on the 2-core dev machine),
#            chromium (the status page is tested in a real headless browser), prometheus (a real Prometheus scrapes the
#            pipeline for every dashboard query; promtool checks and unit-tests the alerting rules),
#            kubernetes-client (kubectl: `kubectl kustomize` renders deploy/k8s offline for its test; skipped when a
#            kubectl is already on PATH, e.g. from Google's `kubectl` package: both packages ship /usr/bin/kubectl and
#            declare no conflict, so dpkg would stop on the file clash)
#   extra:   any further package names given after the options (a model script's python3-* needs, say)
# Usage: scripts/install-deps.sh [--tests] [PACKAGE...]
set -euo pipefail

want=(ffmpeg libgtk-3-0 libatomic1 opencv-doc)
if [[ "${1:-}" == "--tests" ]]; then
  shift
  want+=(mosquitto mosquitto-clients python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad systemd
         python3-torch python3-torchvision python3-onnx chromium prometheus)
  command -v kubectl >/dev/null 2>&1 || want+=(kubernetes-client)
fi
want+=("$@")

missing=()
for package in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet on PATH); Debian's archive does not carry it." >&2
  exit 1
fi
