# Sourced by deploy/images/build.sh and deploy/compose-smoke.sh: reach a Docker engine, starting a
# private dockerd (own data root and socket, vfs, no bridge, no iptables) when none answers.
# Afterwards call crane_docker_stop; it stops the daemon only if this script started it and
# CRANE_KEEP_DOCKER is not 1.

CRANE_DOCKER_ROOT=${CRANE_DOCKER_ROOT:-/var/tmp/crane-docker}
CRANE_KEEP_DOCKER=${CRANE_KEEP_DOCKER:-0}
export DOCKER_HOST=${DOCKER_HOST:-unix://$CRANE_DOCKER_ROOT/docker.sock}
# The legacy builder: no buildx plugin is needed and `--network host` works with any engine.
export DOCKER_BUILDKIT=0
_crane_started_dockerd=0

crane_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
crane_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt-get install PACKAGE when COMMAND is missing (root only; otherwise one-line error).
crane_need() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || crane_die "$cmd is missing: install the Debian package $pkg (apt-get install $pkg)"
  crane_log "installing $pkg (for $cmd)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null; } \
    || crane_die "apt-get install $pkg failed"
  command -v "$cmd" >/dev/null 2>&1 || crane_die "$cmd still missing after installing $pkg"
}

crane_docker_start() {
  crane_need docker docker.io
  if docker info >/dev/null 2>&1; then
    crane_log "using the Docker engine at $DOCKER_HOST"
    return 0
  fi
  case $DOCKER_HOST in
    unix://"$CRANE_DOCKER_ROOT"/docker.sock) ;;
    *) crane_die "no Docker engine answers at DOCKER_HOST=$DOCKER_HOST (unset it to let this script start one)" ;;
  esac
  crane_need dockerd docker.io
  [ "$(id -u)" = 0 ] || crane_die "starting dockerd needs root"
  mkdir -p "$CRANE_DOCKER_ROOT"
  crane_log "starting dockerd (data root $CRANE_DOCKER_ROOT/data, log $CRANE_DOCKER_ROOT/dockerd.log)"
  rm -f "$CRANE_DOCKER_ROOT/docker.sock"
  dockerd --data-root "$CRANE_DOCKER_ROOT/data" --exec-root "$CRANE_DOCKER_ROOT/exec" \
    --pidfile "$CRANE_DOCKER_ROOT/dockerd.pid" --host "unix://$CRANE_DOCKER_ROOT/docker.sock" \
    --storage-driver vfs --bridge=none --iptables=false --ip-masq=false \
    >"$CRANE_DOCKER_ROOT/dockerd.log" 2>&1 &
  _crane_started_dockerd=$!
  local i
  for i in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      crane_log "dockerd ready (pid $_crane_started_dockerd)"
      return 0
    fi
    kill -0 "$_crane_started_dockerd" 2>/dev/null \
      || crane_die "dockerd exited at start; see $CRANE_DOCKER_ROOT/dockerd.log"
    sleep 1
  done
  crane_die "dockerd did not answer within 60 s; see $CRANE_DOCKER_ROOT/dockerd.log"
}

crane_docker_stop() {
  [ "$_crane_started_dockerd" != 0 ] || return 0
  if [ "$CRANE_KEEP_DOCKER" = 1 ]; then
    crane_log "leaving dockerd running (pid $_crane_started_dockerd, DOCKER_HOST=$DOCKER_HOST)"
    return 0
  fi
  crane_log "stopping dockerd (pid $_crane_started_dockerd)"
  kill "$_crane_started_dockerd" 2>/dev/null || true
  local i
  for i in $(seq 1 30); do
    kill -0 "$_crane_started_dockerd" 2>/dev/null || { _crane_started_dockerd=0; return 0; }
    sleep 1
  done
  crane_log "dockerd did not stop within 30 s; killing it"
  kill -9 "$_crane_started_dockerd" 2>/dev/null || true
  _crane_started_dockerd=0
}
