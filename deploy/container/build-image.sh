#!/usr/bin/env bash
# Builds the StreamAnalytics container image on a machine that cannot pull from a container registry
# (only Debian and NuGet mirrors reachable). It makes the same image as Dockerfile, from other parts:
#   base    a Debian bookworm root file system made by debootstrap, with the runtime packages installed in it by
#           apt (ffmpeg, libgtk-3-0, curl, ...), imported into podman as localhost/streamanalytics-base:bookworm;
#   .NET    this machine's own .NET runtime (dotnet host + Microsoft.NETCore.App + Microsoft.AspNetCore.App),
#           instead of the aspnet base image;
#   app     `dotnet publish` run here, instead of the SDK stage.
# Then `podman build -f Containerfile.debootstrap` adds the user, the files and the settings that
# Dockerfile's runtime stage adds (a test keeps the two in step).
#
# Usage (as root): deploy/container/build-image.sh [TAG]      (default localhost/streamanalytics:latest)
# Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (default: the ones in /etc/apt/sources.list*),
#              WORK_DIR (default /var/tmp/streamanalytics-image), REBUILD_BASE=1 to debootstrap again,
#              PODMAN_BUILD_OPTS: more options for `podman build`, e.g. where crun cannot run containers (cgroup v1
#              with a cgroup2 mount beside it, "hybrid") and root lacks CAP_SYS_RESOURCE (podman's default ulimits
#              cannot be set), as on the dev VM (docs/deploy.md):
#              PODMAN_BUILD_OPTS='--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024'
# Needs: apt-get install -y --no-install-recommends debootstrap podman, and the .NET 10 SDK on PATH.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tag=${1:-localhost/streamanalytics:latest}
base_tag=localhost/streamanalytics-base:bookworm
work=${WORK_DIR:-/var/tmp/streamanalytics-image}
# What the runtime needs beyond minbase; Dockerfile installs the same with apt-get.
# libgtk-3-0 and libatomic1: OpenCvSharp's native library links them. curl: the HEALTHCHECK. ca-certificates: MQTT over TLS
# with the system trust store. tzdata: local times in logs when TZ is set.
packages="ffmpeg libgtk-3-0 libatomic1 curl ca-certificates tzdata"

[[ $(id -u) -eq 0 ]] || { echo "build-image.sh: run as root (debootstrap and rootful podman)" >&2; exit 1; }
for tool in debootstrap podman dotnet; do
  command -v "$tool" >/dev/null || { echo "build-image.sh: $tool is missing (apt-get install -y --no-install-recommends debootstrap podman; the .NET 10 SDK for dotnet)" >&2; exit 1; }
done

# The mirrors apt already uses here: the only ones this machine may reach.
mirror_of() {
  grep -hoE "https?://[^ ]+/$1/?( |\$)" /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -n1 | tr -d ' ' || true
}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-$(mirror_of debian)}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-$(mirror_of debian-security)}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mkdir -p "$work"
if [[ "${REBUILD_BASE:-0}" == 1 ]] || ! podman image exists "$base_tag"; then
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  echo "== debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR"
  # The runtime packages go in with apt inside the new root, not debootstrap --include: debootstrap's resolver
  # does not choose among alternatives (dconf-service needs "default-dbus-session-bus | dbus-session-bus" and
  # was left unconfigured), and apt with --no-install-recommends picks what the Dockerfile's apt-get picks.
  cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb $DEBIAN_SECURITY_MIRROR bookworm-security main
SOURCES
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  trap 'umount "$rootfs/proc" 2>/dev/null || true' EXIT
  echo "== apt-get install $packages (in the new root)"
  chroot "$rootfs" apt-get update -qq
  chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
  chroot "$rootfs" apt-get clean
  umount "$rootfs/proc"
  trap - EXIT
  # Nothing in the image installs packages later, and the container gets its own resolv.conf.
  rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/etc/resolv.conf"
  echo "== importing the root file system as $base_tag"
  tar -C "$rootfs" --numeric-owner -c . | podman import --change 'CMD ["/bin/bash"]' - "$base_tag"
  rm -rf "$rootfs"
fi

context="$work/context"
rm -rf "$context"
mkdir -p "$context/deploy/container" "$context/dotnet/shared"

echo "== dotnet publish (the Dockerfile's build stage)"
dotnet publish "$repo/src/StreamAnalytics" -c Release -o "$context/publish" -nologo -v quiet

echo "== this machine's .NET runtime (what the aspnet base image carries)"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
  version=$(ls "$dotnet_root/shared/$framework" | sort -V | tail -n1)
  mkdir -p "$context/dotnet/shared/$framework"
  cp -a "$dotnet_root/shared/$framework/$version" "$context/dotnet/shared/$framework/"
  echo "   $framework $version"
done
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/" 2>/dev/null \
  || cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$context/dotnet/"
cp "$repo/deploy/container/config.json" "$context/deploy/container/"

echo "== podman build $tag"
# --format docker: the OCI image format has no HEALTHCHECK; podman drops it (with a warning) otherwise.
# shellcheck disable=SC2086 # PODMAN_BUILD_OPTS is a list of options
podman build ${PODMAN_BUILD_OPTS:-} --format docker --build-arg BASE_IMAGE="$base_tag" -f "$repo/deploy/container/Containerfile.debootstrap" -t "$tag" "$context"
podman image inspect --format '{{.Id}} {{.Size}} bytes' "$tag"
