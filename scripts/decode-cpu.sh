#!/usr/bin/env bash
# CPU seconds (user + sys) one ffmpeg thread takes to decode a clip to 398x224 BGR as a camera under
# Pipeline.DecodeSize auto does: with deblocking (FastDecode off), without (on; `auto` there), and without deblocking
# with an area-averaging scale instead of bicubic (ScaleFilter area); the mean of four runs, interleaved.
# Issue 13; figures in docs/performance.md.
# Usage: scripts/decode-cpu.sh CLIP [WIDTH:HEIGHT]
set -euo pipefail
clip=$1
size=${2:-398:224}
for rep in 1 2 3 4; do
  for mode in full fast fast-area; do
    skip=(); [ "$mode" != full ] && skip=(-skip_loop_filter all)
    flags=; [ "$mode" = fast-area ] && flags=:flags=area
    { /usr/bin/time -f "$mode %U %S" ffmpeg -nostdin -hide_banner -loglevel error -filter_threads 1 -threads 1 "${skip[@]}" \
        -i "$clip" -an -vf "scale=$size$flags" -fps_mode passthrough -f rawvideo -pix_fmt bgr24 - > /dev/null; } 2>&1 | tail -1
  done
done | awk '{s[$1] += $2 + $3; n[$1]++} END {printf "full %.2f s, fast %.2f s, fast-area %.2f s; fast/full %.2f, fast-area/fast %.2f, fast-area/full %.2f\n", s["full"]/n["full"], s["fast"]/n["fast"], s["fast-area"]/n["fast-area"], s["fast"]/s["full"], s["fast-area"]/s["fast"], s["fast-area"]/s["full"]}'
