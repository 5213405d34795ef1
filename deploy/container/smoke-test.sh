#!/usr/bin/env bash
# Runs the built image the way docs/deploy.md says (read-only root, a state volume, the token from outside)
# and checks what the image promises: /healthz answers, the process is uid 10001 and not root, the root file
# system refuses writes, the outbox lands on the volume, a real camera decodes inside (ffmpeg and OpenCV's
# native library load), the HEALTHCHECK passes, and SIGTERM ends it with exit code 0.
# Usage (as root, after build-image.sh): deploy/container/smoke-test.sh [IMAGE]
# Needs /usr/share/doc/opencv-doc/examples/data/vtest.avi (package opencv-doc, which run-demo.sh installs).
# Environment: PODMAN_OPTS (global, e.g. --runtime runc) and PODMAN_RUN_OPTS (e.g. --ulimit ...), for a machine
# where podman's defaults cannot start a container (see build-image.sh and docs/deploy.md).
set -euo pipefail

image=${1:-localhost/streamanalytics:latest}
name=sa-smoke-$$
volume=sa-smoke-$$
vtest=/usr/share/doc/opencv-doc/examples/data/vtest.avi
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
config=$(mktemp --suffix=.json)
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -f "$config"
}
trap cleanup EXIT
chmod 644 "$config"
cat > "$config" <<JSON
{
  "StreamAnalytics": {
    "Cameras": [ { "Id": "demo", "Url": "/data/vtest.avi", "Loop": true, "Realtime": true } ],
    "Mqtt": { "EmbeddedBroker": true, "Host": "127.0.0.1", "Port": 1883 }
  }
}
JSON

fail() { echo "FAIL: $*" >&2; podman logs --tail 40 "$name" >&2 || true; exit 1; }
# Polls a command until it succeeds, up to $1 seconds: the service's start-up time varies with the machine's load.
# A container that has exited fails at once instead of at the limit.
until_ok() {
  local limit=$1; shift
  for ((i = 0; i < limit; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    [[ $(podman inspect --format '{{.State.Running}}' "$name") == true ]] || fail "the container exited ($(podman inspect --format '{{.State.ExitCode}}' "$name"))"
    sleep 1
  done
  return 1
}
# shellcheck disable=SC2086 # the options are lists
podman() { command podman ${PODMAN_OPTS:-} "$@"; }
in_container() { podman exec "$name" "$@"; }

podman volume create "$volume" >/dev/null
# shellcheck disable=SC2086
podman run ${PODMAN_RUN_OPTS:-} -d --name "$name" --read-only \
  -v "$volume:/var/lib/streamanalytics" \
  -v "$config:/etc/streamanalytics/config.json:ro" \
  -v "$vtest:/data/vtest.avi:ro" \
  -e STREAMANALYTICS_API_TOKEN="$token" \
  "$image" >/dev/null
echo "started $name from $image"

until_ok 180 in_container curl -fsS http://127.0.0.1:9464/healthz || fail "/healthz did not answer within 180 s"
echo "ok: /healthz answers: $(in_container curl -fsS http://127.0.0.1:9464/healthz)"

uid=$(in_container id -u)
[[ "$uid" == 10001 ]] || fail "runs as uid $uid, expected 10001"
process_user=$(podman top "$name" user,args | awk 'NR > 1 && /streamanalytics.dll/ { print $1 }')
[[ -n "$process_user" && "$process_user" != root ]] || fail "the service process runs as '$process_user'"
echo "ok: uid $uid; the dotnet process runs as $process_user"

[[ $(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name") == true ]] || fail "root file system not read-only"
if error=$(in_container touch /app/written 2>&1); then fail "could write to /app"; fi
echo "ok: read-only root ($error)"

until_ok 30 in_container test -d /var/lib/streamanalytics/outbox || fail "no outbox on the volume"
in_container touch /var/lib/streamanalytics/written || fail "the state volume is not writable"
echo "ok: state volume writable, outbox at /var/lib/streamanalytics/outbox"

camera_decodes() {
  in_container curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:9464/api/v1/cameras/demo \
    | grep -Eq '"frames":[1-9]'
}
until_ok 120 camera_decodes || fail "camera demo decoded no frame within 120 s"
echo "ok: camera decodes: $(in_container curl -fsS -H "Authorization: Bearer $token" http://127.0.0.1:9464/api/v1/cameras/demo)"
status=$(in_container curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9464/api/v1/cameras)
[[ "$status" == 401 ]] || fail "the API answered $status without the token, expected 401"
echo "ok: the API wants the token (401 without it)"

until_ok 120 in_container curl -fsS http://127.0.0.1:9464/readyz || fail "/readyz not 200 within 120 s"
echo "ok: /readyz 200"
podman healthcheck run "$name" || fail "HEALTHCHECK failed"
echo "ok: HEALTHCHECK passes"

podman stop -t 45 "$name" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[[ "$code" == 0 ]] || fail "exit code $code after SIGTERM"
podman logs --tail 3 "$name"
echo "ok: SIGTERM → exit code 0"
echo "PASS"
