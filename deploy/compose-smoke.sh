#!/bin/bash
# Brings docker-compose.yml up on the local images (deploy/local.env), publishes a small synthetic
# dataset with the ingest service, waits until the trainer has published a model version and the
# recommender API serves it, asks for a recommendation, then tears everything down (down -v).
# Exit 0 only when a recommendation with a model version came back.
# Usage: deploy/compose-smoke.sh [--scale N] [--keep-docker]
#   --scale N  stream-processor instances (default 1)
#   Build the jars (mvn -o -q -DskipTests package) and the images (deploy/images/build.sh) first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# shellcheck source=docker-daemon.sh
source "$repo/deploy/docker-daemon.sh"

scale=1
while [ $# -gt 0 ]; do
  case $1 in
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --keep-docker) CRANE_KEEP_DOCKER=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) crane_die "unknown argument '$1' (try --help)" ;;
  esac
done

crane_need docker-compose docker-compose
lib=$repo/recommender-api/target/lib
[ -d "$lib" ] || crane_die "$lib is missing: build the jars first (mvn -o -q -DskipTests package)"

# Small and quick: LightGCN for a few epochs, a snapshot every 15 s.
export CRANE_TRAINER_MODEL=${CRANE_TRAINER_MODEL:-lightgcn}
export CRANE_TRAINER_FULL_EPOCHS=${CRANE_TRAINER_FULL_EPOCHS:-5}
export CRANE_SNAPSHOT_INTERVAL_MS=${CRANE_SNAPSHOT_INTERVAL_MS:-15000}
export CRANE_MODALITIES=image:128,audio:128
export CRANE_DATA_DIR
CRANE_DATA_DIR=$(mktemp -d /var/tmp/crane-smoke.XXXXXX)
project=crane-smoke
compose=(docker-compose -p "$project" --env-file "$repo/deploy/local.env" -f "$repo/docker-compose.yml")

ok=0
cleanup() {
  set +e
  if [ $ok = 0 ] && docker info >/dev/null 2>&1; then
    crane_log "failed; the last log lines of each service:"
    "${compose[@]}" logs --no-color --tail 30 >&2 2>/dev/null
  fi
  if docker info >/dev/null 2>&1; then
    crane_log "docker-compose down -v"
    "${compose[@]}" --profile tools down -v --remove-orphans >/dev/null 2>&1
  fi
  rm -rf "$CRANE_DATA_DIR"
  crane_docker_stop
}
trap cleanup EXIT

crane_docker_start
# shellcheck disable=SC2046
for image in $(sed -n 's/^[A-Z_]*_IMAGE=//p' "$repo/deploy/local.env"); do
  docker image inspect "$image" >/dev/null 2>&1 \
    || crane_die "image $image is missing: build it with deploy/images/build.sh"
done

# Every container of SERVICE is in one of the STATES (health status, or the run state when it has
# no health check).
service_in() {
  local service=$1 states=" $2 " ids id state
  ids=$("${compose[@]}" ps -q "$service" 2>/dev/null) || return 1
  [ -n "$ids" ] || return 1
  for id in $ids; do
    state=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
    [ "$(docker inspect --format '{{.State.Status}}' "$id")" = running ] || return 1
    case $states in *" $state "*) ;; *) return 1 ;; esac
  done
}
# Up: every service healthy, except the API, which reports healthy only once it serves a model
# version (there is none before data comes in): running is enough for it here.
stack_up() {
  local s
  for s in kafka schema-registry stream-processor trainer; do service_in "$s" healthy || return 1; done
  service_in recommender-api "starting healthy unhealthy"
}

crane_log "docker-compose up -d --scale stream-processor=$scale"
up_start=$SECONDS
# Instances started together all create the missing topics; the first creation wins and the
# others take the topic as it is (a second step was needed before that was fixed).
"${compose[@]}" up -d --scale "stream-processor=$scale" || crane_die "docker-compose up failed"
up_returned=$((SECONDS - up_start))
until stack_up; do
  [ $((SECONDS - up_start)) -lt 400 ] || crane_die "the services were not all healthy within 400 s"
  sleep 2
done
for id in $("${compose[@]}" ps -q stream-processor); do
  [ "$(docker inspect --format '{{.RestartCount}}' "$id")" = 0 ] \
    || crane_die "stream processor container $id restarted while starting: docker logs $id"
done
compose_up_seconds=$((SECONDS - up_start))
crane_log "stack up: up -d returned after ${up_returned} s, services healthy after ${compose_up_seconds} s"
"${compose[@]}" ps

crane_log "publishing a synthetic dataset through the ingest service"
ingest_start=$SECONDS
"${compose[@]}" run --rm ingest synthetic --users 300 --items 200 --modalities "$CRANE_MODALITIES" \
  --out /data/synthetic --no-progress || crane_die "ingest failed"
crane_log "ingest done in $((SECONDS - ingest_start)) s"
user=$(awk -F'\t' 'NR == 2 { print $1 }' "$CRANE_DATA_DIR"/synthetic/*.inter)
[ -n "$user" ] || crane_die "no user id in the dataset the ingest service wrote"

crane_log "waiting for a model version and asking for user $user's top 5"
wait_start=$SECONDS
java -cp "$lib/*" "$repo/deploy/smoke/RecommendQuery.java" "localhost:${CRANE_API_GRPC_PORT:-50051}" "$user" 5 600 \
  || crane_die "no recommendation with a model version"
crane_log "served $((SECONDS - wait_start)) s after the ingest"
until service_in recommender-api healthy; do
  [ $((SECONDS - wait_start)) -lt 700 ] || crane_die "the API serves but its container is not reported healthy"
  sleep 2
done
crane_log "recommender-api container healthy"
docker run --rm --network host \
  -e CRANE_TRAINER_BOOTSTRAP_SERVERS=localhost:9092 \
  -e CRANE_TRAINER_SCHEMA_REGISTRY_URL="$(sed -n 's/^SCHEMA_REGISTRY_URL=//p' "$repo/deploy/local.env")" \
  crane/trainer:local status 2>/dev/null || true
ok=1
echo "compose_up_seconds=$compose_up_seconds"
echo "smoke: OK"
