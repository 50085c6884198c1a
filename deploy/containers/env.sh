# Sourced by the container scripts: points podman (and docker-compose, through podman's Docker-compatible
# socket) at a private configuration and image store that work on machines without systemd, without
# CAP_SYS_RESOURCE and with a hybrid cgroup layout (see docs/containers.md "The three sandbox settings").
#   REDISSYNC_CONTAINERS_HOME   image store and generated configuration (default /var/tmp/redis-sync-containers;
#                               kept across clones so a warm machine does not rebuild base images)
# Where podman already works (a normal workstation or CI runner), set REDISSYNC_CONTAINERS_NATIVE=1 to skip this.
if [ "${REDISSYNC_CONTAINERS_NATIVE:-0}" != 1 ]; then
  REDISSYNC_CONTAINERS_HOME=${REDISSYNC_CONTAINERS_HOME:-/var/tmp/redis-sync-containers}
  mkdir -p "$REDISSYNC_CONTAINERS_HOME/storage" "$REDISSYNC_CONTAINERS_HOME/run"
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  cat > "$REDISSYNC_CONTAINERS_HOME/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > "$REDISSYNC_CONTAINERS_HOME/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$REDISSYNC_CONTAINERS_HOME/storage"
runroot = "$REDISSYNC_CONTAINERS_HOME/run"
CONF
  export CONTAINERS_CONF="$REDISSYNC_CONTAINERS_HOME/containers.conf"
  export CONTAINERS_STORAGE_CONF="$REDISSYNC_CONTAINERS_HOME/storage.conf"
fi
