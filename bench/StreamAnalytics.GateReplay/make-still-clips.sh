#!/usr/bin/env bash
# Two synthetic "still camera" clips for the motion gate replay, from the first frame of UCSD Ped2 train01
# (360x240, 10 fps, 60 s, temporal noise of ±6 grey levels, H.264 CRF 23):
#   still-60s.mp4            nothing changes;
#   still-object-at-30s.mp4  a dark 14x28 box (a person's size in Ped2) appears at 30 s (frame 301) and stays.
# usage: make-still-clips.sh PED2_DIR OUT_DIR
set -euo pipefail
ped2=${1:?PED2_DIR}
out=${2:?OUT_DIR}
mkdir -p "$out"
ffmpeg -v error -y -i "$ped2/train/train01.mp4" -frames:v 1 "$out/still.png"
ffmpeg -v error -y -loop 1 -framerate 10 -i "$out/still.png" -t 60 \
  -vf "noise=alls=6:allf=t,format=yuv420p" -c:v libx264 -crf 23 "$out/still-60s.mp4"
ffmpeg -v error -y -loop 1 -framerate 10 -i "$out/still.png" -t 60 \
  -vf "noise=alls=6:allf=t,drawbox=x=150:y=100:w=14:h=28:color=black@1:t=fill:enable='gte(t,30)',format=yuv420p" \
  -c:v libx264 -crf 23 "$out/still-object-at-30s.mp4"
