#!/usr/bin/env bash
# What Cameras[i].FastDecode (ffmpeg's -skip_loop_filter all) does to the motion head where `auto` turns it on:
# a 720p camera decoded at the model's 224 rows. Issue 13; figures in docs/performance.md. From the repository root,
# after a Release build:
#   scripts/fast-decode-motion.sh [PED2_DIR] [WORK_DIR]
# Every Ped2 video is encoded at 1080x720 (x264, deblocking on, as a camera sends it), then decoded to 336x224 three
# ways: full (deblocking, bicubic scale), fast (no deblocking, bicubic: FastDecode on) and fast-area (no deblocking,
# an area-averaging scale: ScaleFilter area as well), kept losslessly, and learned and evaluated with
# the shipped `learn` and `eval anomaly`. The offline verbs decode at a file's own size, so they read exactly those
# frames.
set -euo pipefail
cd "$(dirname "$0")/.."
ped2=$(realpath "${1:-../shared/data/ucsd-ped2}")
work=${2:-$(mktemp -d)}
sa=src/StreamAnalytics/bin/Release/net10.0/linux-x64/streamanalytics
mkdir -p "$work/720p/train" "$work/720p/test"
for f in "$ped2"/train/*.mp4 "$ped2"/test/*.mp4; do
  out="$work/720p/$(basename "$(dirname "$f")")/$(basename "$f")"
  [ -s "$out" ] || ffmpeg -nostdin -v error -y -i "$f" -vf scale=1080:720 -c:v libx264 -preset veryfast -crf 23 -g 30 -pix_fmt yuv420p "$out"
done

for mode in full fast fast-area; do
  skip=(); [ "$mode" != full ] && skip=(-skip_loop_filter all)
  flags=; [ "$mode" = fast-area ] && flags=:flags=area
  mkdir -p "$work/$mode/train" "$work/$mode/test"
  cp "$ped2/test/labels.json" "$work/$mode/test/"
  for f in "$work"/720p/*/*.mp4; do
    ffmpeg -nostdin -v error -y -threads 1 "${skip[@]}" -i "$f" -vf "scale=336:224$flags" -c:v libx264 -qp 0 -preset ultrafast -pix_fmt yuv420p \
      "$work/$mode/$(basename "$(dirname "$f")")/$(basename "$f")"
  done
  "$sa" learn --out "$work/$mode.state" --camera ped2 --input "$work/$mode/train" > "$work/$mode-learn.log" 2>&1
  echo "== $mode decode"
  "$sa" eval anomaly --state "$work/$mode.state" --labels "$work/$mode/test/labels.json" --report "$work/$mode-eval.json" 2>/dev/null \
    | grep -E "Micro|Events|threshold applied"
done
echo "pixels, fast against full (test01):"
ffmpeg -hide_banner -i "$work/full/test/test01.mp4" -i "$work/fast/test/test01.mp4" -lavfi psnr -f null - 2>&1 | grep -o "PSNR y:[0-9.]*"
