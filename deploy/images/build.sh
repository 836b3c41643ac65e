#!/bin/bash
# Builds every image the deployment needs from this machine's sources only (no registry pulls):
#   crane/debian:bookworm        debootstrap --variant=minbase + docker import (tarball cached)
#   crane/jre17:local            Debian's openjdk-17-jre-headless
#   crane/kafka:4.3.1            KRaft broker from the Maven Central jars (kafka/pom.xml)
#   crane/apicurio-registry:2.6.13  Apicurio Registry from its Maven Central zip
#   crane/<role>:local           ingest, stream-processor, trainer, recommender-api from <role>/target
# Usage: deploy/images/build.sh [--keep-docker] [--rebuild-base] [--force] [IMAGE...]
#   IMAGE: debian jre kafka registry ingest stream-processor trainer recommender-api (default: all;
#   an image needs the ones above it to exist). Build the jars first: mvn -o -q -DskipTests package
# An image whose inputs (its files here, versions, jars and parent image) are unchanged since it was
# built is kept (label crane.inputs); --force rebuilds it anyway.
# Starts a private dockerd when none answers (deploy/docker-daemon.sh) and stops it at the end
# unless --keep-docker (or CRANE_KEEP_DOCKER=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../docker-daemon.sh
source "$repo/deploy/docker-daemon.sh"

SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${CRANE_IMAGE_CACHE:-$here/.cache}
STAGE=$here/.build
KAFKA_VERSION=4.3.1
APICURIO_VERSION=2.6.13.Final
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
ROLES=(ingest stream-processor trainer recommender-api)

IMG_DEBIAN=crane/debian:$SUITE
IMG_JRE=crane/jre17:local
IMG_KAFKA=crane/kafka:$KAFKA_VERSION
IMG_REGISTRY=crane/apicurio-registry:${APICURIO_VERSION%.Final}

rebuild_base=0
force=0
targets=()
for arg in "$@"; do
  case $arg in
    --keep-docker) CRANE_KEEP_DOCKER=1 ;;
    --rebuild-base) rebuild_base=1 ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    debian|jre|kafka|registry|ingest|stream-processor|trainer|recommender-api) targets+=("$arg") ;;
    *) crane_die "unknown argument '$arg' (try --help)" ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(debian jre kafka registry "${ROLES[@]}")

summary=()
record() { # name image seconds
  local size
  size=$(docker image inspect --format '{{.Size}}' "$2" 2>/dev/null || echo 0)
  summary+=("$(printf '%-18s %-32s %5ss %6s MB' "$1" "$2" "$3" $((size / 1000000)))")
  crane_log "$1: $2 done in $3 s ($((size / 1000000)) MB)"
}

# mvn offline first (the jars are usually in ~/.m2 already), then online; never `install`.
mvn_get() {
  mvn -o -q -B "$@" >"$STAGE/mvn.log" 2>&1 || {
    crane_log "offline Maven could not resolve it; trying Maven Central"
    mvn -q -B "$@" >"$STAGE/mvn.log" 2>&1
  } || crane_die "Maven failed ($*); see $STAGE/mvn.log"
}

# stage NAME: an empty build context under .build/
stage() { rm -rf "${STAGE:?}/$1"; mkdir -p "$STAGE/$1"; echo "$STAGE/$1"; }

# inputs PARENT FILE_OR_DIR...: the hash of what an image is built from (its parent's id, the versions,
# the files' contents and this script's, named relative to the checkout so that every clone agrees); up_to_date IMAGE HASH: whether IMAGE was built from exactly those inputs.
inputs() {
  local parent=$1
  shift
  { docker image inspect --format '{{.Id}}' "$parent"; echo "$KAFKA_VERSION $APICURIO_VERSION"
    (cd "$repo" && find "${@#"$repo"/}" deploy/images/build.sh -type f -print0 | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}
up_to_date() {
  [ $force = 0 ] && [ "$(docker image inspect --format '{{index .Config.Labels "crane.inputs"}}' "$1" 2>/dev/null)" = "$2" ]
}

build() { # dockerfile context image inputs-hash [build-arg...]
  local dockerfile=$1 context=$2 image=$3 hash=$4
  shift 4
  local args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  docker build --network host -q -f "$dockerfile" -t "$image" --label "crane.inputs=$hash" "${args[@]}" "$context" >/dev/null \
    || crane_die "docker build of $image failed (rerun without -q: docker build -f $dockerfile $context)"
}

build_debian() {
  if [ $rebuild_base = 0 ] && docker image inspect "$IMG_DEBIAN" >/dev/null 2>&1; then
    crane_log "debian: $IMG_DEBIAN exists (--rebuild-base to redo it)"
    return
  fi
  local tarball=$CACHE/debian-$SUITE-minbase.tar.gz
  mkdir -p "$CACHE"
  if [ $rebuild_base = 1 ] || [ ! -s "$tarball" ]; then
    crane_need debootstrap debootstrap
    local root
    root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    crane_log "debian: debootstrap --variant=minbase $SUITE from $MIRROR (log $CACHE/debootstrap.log)"
    debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || crane_die "debootstrap failed; see $CACHE/debootstrap.log (rootfs left in $root)"
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
      "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$SECURITY_MIRROR" "$SUITE" >"$root/etc/apt/sources.list"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -czf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  else
    crane_log "debian: reusing the cached $tarball"
  fi
  docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' "$tarball" "$IMG_DEBIAN" >/dev/null \
    || crane_die "docker import of $tarball failed"
}

# IMAGE HASH: says so and succeeds when IMAGE is up to date
kept() {
  up_to_date "$1" "$2" || return 1
  crane_log "$1 is up to date (inputs $2)"
}

build_jre() {
  local hash
  hash=$(inputs "$IMG_DEBIAN" "$here/jre")
  kept "$IMG_JRE" "$hash" && return
  build "$here/jre/Dockerfile" "$here/jre" "$IMG_JRE" "$hash" "BASE=$IMG_DEBIAN"
}

build_kafka() {
  local ctx hash
  hash=$(inputs "$IMG_JRE" "$here/kafka")
  kept "$IMG_KAFKA" "$hash" && return
  ctx=$(stage kafka)
  crane_log "kafka: copying Kafka $KAFKA_VERSION and its dependencies with Maven"
  mvn_get -f "$here/kafka/pom.xml" "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime \
    -DoutputDirectory="$ctx/libs"
  cp -a "$here/kafka/bin" "$ctx/bin"
  build "$here/kafka/Dockerfile" "$ctx" "$IMG_KAFKA" "$hash" "BASE=$IMG_JRE"
}

build_registry() {
  local ctx hash
  hash=$(inputs "$IMG_JRE" "$here/registry")
  kept "$IMG_REGISTRY" "$hash" && return
  ctx=$(stage registry)
  crane_need unzip unzip
  crane_log "registry: fetching apicurio-registry-app $APICURIO_VERSION (zip) with Maven"
  mvn_get -f "$here/kafka/pom.xml" "$DEP_PLUGIN:copy" \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" -DoutputDirectory="$STAGE/registry-zip"
  unzip -q -o "$STAGE/registry-zip/apicurio-registry-app-$APICURIO_VERSION-all.zip" -d "$ctx/app"
  cp -a "$here/registry/registry-start" "$ctx/"
  build "$here/registry/Dockerfile" "$ctx" "$IMG_REGISTRY" "$hash" "BASE=$IMG_JRE"
}

build_role() {
  local role=$1 ctx hash
  local jar=$repo/$role/target/$role.jar lib=$repo/$role/target/lib
  [ -f "$jar" ] && [ -d "$lib" ] \
    || crane_die "$jar or $lib is missing: build the jars first (mvn -o -q -DskipTests package)"
  hash=$(inputs "$IMG_JRE" "$here/service" "$jar" "$lib")
  kept "crane/$role:local" "$hash" && return
  ctx=$(stage "$role")
  mkdir -p "$ctx/app"
  cp -al "$jar" "$lib" "$ctx/app/" 2>/dev/null || cp -a "$jar" "$lib" "$ctx/app/"
  cp -a "$here/service/bin" "$ctx/bin"
  build "$here/service/Dockerfile" "$ctx" "crane/$role:local" "$hash" "BASE=$IMG_JRE" "ROLE=$role"
}

image_of() {
  case $1 in
    debian) echo "$IMG_DEBIAN" ;; jre) echo "$IMG_JRE" ;; kafka) echo "$IMG_KAFKA" ;;
    registry) echo "$IMG_REGISTRY" ;; *) echo "crane/$1:local" ;;
  esac
}

mkdir -p "$STAGE"
trap crane_docker_stop EXIT
total_start=$SECONDS
crane_docker_start
for t in "${targets[@]}"; do
  start=$SECONDS
  crane_log "$t: building $(image_of "$t")"
  case $t in
    debian) build_debian ;; jre) build_jre ;; kafka) build_kafka ;; registry) build_registry ;;
    *) build_role "$t" ;;
  esac
  record "$t" "$(image_of "$t")" $((SECONDS - start))
done
docker image prune -f >/dev/null 2>&1 || true
rm -rf "${STAGE:?}"
echo "image              name                              time     size"
printf '%s\n' "${summary[@]}"
echo "total ${#targets[@]} images in $((SECONDS - total_start)) s; Docker data root: $(du -sh "$CRANE_DOCKER_ROOT/data" 2>/dev/null | cut -f1)"
