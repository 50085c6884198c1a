#!/usr/bin/env bash
# Makes the upstream base image the Dockerfiles name, when this machine cannot pull it (no registry): a
# Debian bookworm root filesystem made with debootstrap from the apt mirror this machine uses, imported once,
# then tagged as a local stand-in under the upstream name
#   docker.io/library/eclipse-temurin:17-jre   (java on the PATH, curl for health checks, redis-server and
#                                              redis-cli, which the syncer-service image needs beside it)
# so the same Dockerfiles work unchanged where a registry exists.
# Idempotent: does nothing when the image exists. REDISSYNC_BASE_REBUILD=1 forces a rebuild.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/env.sh"

jre=docker.io/library/eclipse-temurin:17-jre
rootfs_image=localhost/redis-sync/debian-rootfs:bookworm
if [ "${REDISSYNC_BASE_REBUILD:-0}" != 1 ] && podman image exists "$jre"; then
  exit 0
fi

if [ "${REDISSYNC_BASE_REBUILD:-0}" = 1 ] || ! podman image exists "$rootfs_image"; then
  command -v debootstrap >/dev/null || { echo "base-images: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  mirror=$(grep -h -v '^[[:space:]]*#' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
             2>/dev/null | grep -o -E 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian/? ' | head -n1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  work=$(mktemp -d /var/tmp/redis-sync-rootfs.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  echo "base-images: debootstrap bookworm from $mirror (about a minute)..."
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,redis-server,redis-tools,curl,ca-certificates \
    bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # No package caches or apt lists in the image.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | podman import --quiet - "$rootfs_image" >/dev/null
fi

ctx=$(mktemp -d /var/tmp/redis-sync-base.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cat > "$ctx/Containerfile.jre" <<CF
FROM $rootfs_image
ENV LANG=C.UTF-8 JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
CMD ["java", "-version"]
CF
podman build --quiet -f "$ctx/Containerfile.jre" -t "$jre" "$ctx" >/dev/null
echo "base-images: $jre is a local stand-in built from Debian bookworm"
