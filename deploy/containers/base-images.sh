#!/usr/bin/env bash
# Makes the two upstream base images the Dockerfiles and the compose file name, when this machine cannot
# pull them (no registry): a Debian bookworm root filesystem made with debootstrap from the apt mirror this
# machine uses, imported once, then tagged as local stand-ins under the upstream names
#   docker.io/library/eclipse-temurin:17-jre   (java on the PATH, curl for health checks)
#   docker.io/library/redis:7                  (redis-server/redis-cli on the PATH, runs as user redis)
# so the same Dockerfiles and compose file work unchanged where a registry exists.
# Idempotent: does nothing when both images exist. REDISSYNC_BASE_REBUILD=1 forces a rebuild.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/env.sh"

jre=docker.io/library/eclipse-temurin:17-jre
redis=docker.io/library/redis:7
rootfs_image=localhost/redis-sync/debian-rootfs:bookworm
if [ "${REDISSYNC_BASE_REBUILD:-0}" != 1 ] && podman image exists "$jre" && podman image exists "$redis"; then
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
cat > "$ctx/Containerfile.redis" <<CF
FROM $rootfs_image
# uid/gid 999 as in the upstream image, so manifests that say runAsUser: 999 hold for both.
RUN groupmod -g 999 redis && usermod -u 999 -g 999 redis && mkdir -p /data && chown -R redis:redis /data /var/lib/redis /var/log/redis
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
CF
podman build --quiet -f "$ctx/Containerfile.jre" -t "$jre" "$ctx" >/dev/null
podman build --quiet -f "$ctx/Containerfile.redis" -t "$redis" "$ctx" >/dev/null
echo "base-images: $jre and $redis are local stand-ins built from Debian bookworm"
