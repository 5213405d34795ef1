#!/usr/bin/env bash
# Does a camera's ffmpeg cost more CPU the longer it runs? One reader with the product's arguments for a 720p camera
# decoded at 224 rows as the product did when it was measured (one thread, no deblocking, bicubic scale to BGR; the
# product has scaled such a camera by area since: ScaleFilter auto) reads the loopback RTSP test server for
# MINUTES minutes; a second, fresh one joins for the last three. Prints each one's CPU ticks (1/100 s) per minute.
#   scripts/ffmpeg-age-cpu.sh CLIP [MINUTES]      e.g. scripts/ffmpeg-age-cpu.sh /tmp/sa-720p-ucsd-15fps.mp4 13
set -euo pipefail
cd "$(dirname "$0")/.."
clip=${1:?usage: $0 CLIP [MINUTES]}
minutes=${2:-13}
port=8654
/usr/bin/python3 -u tests/StreamAnalytics.Testing/rtsp_server.py --port "$port" --mount "/cam=$clip" \
  --loop-seconds $(( (minutes + 5) * 60 )) > /tmp/ffmpeg-age-server.log 2>&1 &
server=$!
trap 'kill $server ${a:-} ${b:-} 2>/dev/null || true' EXIT
until grep -q READY /tmp/ffmpeg-age-server.log; do sleep 1; done
reader() {
  ffmpeg -nostdin -loglevel error -threads 1 -filter_threads 1 -rtsp_transport tcp -timeout 5000000 \
    -skip_loop_filter all -i "rtsp://127.0.0.1:$port/cam" -an -sn -dn -fps_mode passthrough \
    -vf scale=398:224 -f rawvideo -pix_fmt bgr24 pipe:1 > /dev/null &
  echo $!
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
a=$(reader)
pa=$(ticks "$a")
b=
for m in $(seq 1 "$minutes"); do
  if [[ $m -eq $(( minutes - 2 )) ]]; then b=$(reader); pb=$(ticks "$b"); fi
  sleep 60
  na=$(ticks "$a")
  line="min $m: first reader $((na - pa)) ticks"
  pa=$na
  if [[ -n $b ]]; then nb=$(ticks "$b"); line="$line; fresh reader $((nb - pb)) ticks"; pb=$nb; fi
  echo "$line"
done
