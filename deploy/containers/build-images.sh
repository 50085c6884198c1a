#!/usr/bin/env bash
# Builds the suite's container images with podman from the Maven build output:
#   localhost/redis-sync/{kafka-broker,cert-service,crdb-coordinator,syncer-service}:$REDISSYNC_IMAGE_TAG (default latest)
# Runs `./mvnw -DskipTests package` first when a jar is missing (REDISSYNC_SKIP_MAVEN=1: never), and makes the
# base images when this machine has no registry (base-images.sh). About 1-3 s per image on a warm machine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/env.sh"
tag=${REDISSYNC_IMAGE_TAG:-latest}

images=(kafka-broker:kafka-broker:target/kafka-broker.jar
        cert-service:cert-service:target/quarkus-app/quarkus-run.jar
        crdb-coordinator:crdb-coordinator:target/quarkus-app/quarkus-run.jar
        syncer-service:syncer-service:target/quarkus-app/quarkus-run.jar)

missing=0
for entry in "${images[@]}"; do
  IFS=: read -r module _ jar <<<"$entry"
  [ -f "$repo/$module/$jar" ] || missing=1
done
if [ "$missing" = 1 ]; then
  [ "${REDISSYNC_SKIP_MAVEN:-0}" = 1 ] && { echo "build-images: jars missing; run ./mvnw -DskipTests package" >&2; exit 1; }
  echo "build-images: ./mvnw -B -q -DskipTests package"
  (cd "$repo" && ./mvnw -B -q -DskipTests package)
fi

"$here/base-images.sh"
for entry in "${images[@]}"; do
  IFS=: read -r module name _ <<<"$entry"
  t0=$(date +%s.%N)
  podman build --quiet --layers -f "$repo/$module/src/main/docker/Dockerfile.jvm" -t "localhost/redis-sync/$name:$tag" "$repo/$module" >/dev/null \
    || { echo "build-images: building $name failed" >&2; exit 1; }
  printf 'build-images: localhost/redis-sync/%s:%s (%.1f s)\n' "$name" "$tag" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')"
done
