#!/usr/bin/env bash
# Builds the Innoscope image (deploy/container/Containerfile) with podman,
# tags it innoscope:<commit> and prints its size. Two targets:
#
#   deploy/container/build.sh                      full build: the build stage
#                                                  compiles the project (slow)
#   deploy/container/build.sh --from-build build    runtime stage only, from the
#                                                  binaries already built in build/
#
# Options:
#   --from-build DIR   stage the five binaries of DIR (stripped: the four
#                      services and innoscope-recompute; not the CLI) in place
#                      of the build stage; the image is reused when one with
#                      the same tag already holds exactly these binaries
#   --tag TAG          image tag (default innoscope:<commit>, <commit> being
#                      `git rev-parse --short=12 HEAD`)
#   --jobs N           parallel compile jobs in the build stage (full build)
#   --base MODE        where the Debian base images come from: `auto` (default:
#                      one already in podman's storage, else the public registry,
#                      else debootstrap), `registry` or `debootstrap`
#   --print-tag        print the tag that would be built and exit
#
# Base images: BASE_IMAGE (debian:bookworm) and RUNTIME_IMAGE
# (debian:bookworm-slim) from the public registry; where none answers, a
# bookworm made with `debootstrap --variant=minbase` from the Debian mirror in
# this machine's apt sources, imported as localhost/innoscope-debian:bookworm,
# and a slim one (documentation and locale files removed) as
# localhost/innoscope-debian:bookworm-slim. They stay in podman's storage, so
# later builds reuse them (`podman rmi` them to refresh). Nothing else is
# downloaded but Debian packages.
#
# Runs podman as root with deploy/container/containers.conf (CONTAINERS_CONF,
# unless already set) and --network=host. The last line printed is the tag.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/container"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HERE/containers.conf}"

FROM_BUILD="" TAG="" JOBS="" BASE_MODE="${INNOSCOPE_CONTAINER_BASE:-auto}" PRINT_TAG=0
while [ $# -gt 0 ]; do
  case "$1" in
    --from-build) FROM_BUILD="$2"; shift 2 ;;
    --tag) TAG="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --base) BASE_MODE="$2"; shift 2 ;;
    --print-tag) PRINT_TAG=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$BASE_MODE" in auto|registry|debootstrap) ;; *)
  echo "build.sh: --base must be auto, registry or debootstrap, not $BASE_MODE" >&2; exit 2 ;;
esac

COMMIT="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
TAG="${TAG:-innoscope:$COMMIT}"
if [ "$PRINT_TAG" -eq 1 ]; then echo "$TAG"; exit 0; fi

say() { echo "build.sh: $*" >&2; }
die() { echo "build.sh: error: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "podman runs as root here (rootless needs subuid ranges); run as root"
command -v podman >/dev/null || die "podman not found; run deploy/install-deps.sh"

BINARIES=(ingest/innoscope-ingest weighting/innoscope-weighting scoring/innoscope-scoring
          network/innoscope-network recompute/innoscope-recompute)
PODMAN_BUILD=(podman build --network=host --layers
              --ignorefile "$HERE/Containerfile.dockerignore" -f "$HERE/Containerfile"
              --label "org.opencontainers.image.revision=$COMMIT")

# ------------------------------------------------------------- base images

# "URI SUITE" for every Debian source of this machine (one-line and deb822).
apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                       print $i, $(i + 1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'function flush() { if (types ~ /(^| )deb( |$)/) { n = split(uris, u, " ");
                              m = split(suites, s, " ");
                              for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j] }
                            types = uris = suites = "" }
         /^[ \t]*$/ { flush(); next }
         /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
         /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
         /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
         END { flush() }' "$f"
  done
}

# Makes localhost/innoscope-debian:bookworm and :bookworm-slim with
# debootstrap from this machine's Debian mirror.
debootstrap_bases() {
  command -v debootstrap >/dev/null || die "debootstrap not found; run deploy/install-deps.sh"
  local sources mirror rootfs
  sources="$(apt_sources | awk '$2 ~ /^bookworm(-updates|-security)?$/' | sort -u)"
  mirror="${INNOSCOPE_DEBIAN_MIRROR:-$(awk '$2 == "bookworm" { print $1; exit }' <<<"$sources")}"
  [ -n "$mirror" ] || die "no Debian bookworm source in /etc/apt; set INNOSCOPE_DEBIAN_MIRROR"
  rootfs="$ROOT/.local/container/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  say "no registry answers: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$ROOT/.local/container/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $ROOT/.local/container/debootstrap.log"
  # The image's apt sources are this machine's Debian ones (security updates
  # included), so the image gets the library versions the host has.
  if [ -n "$sources" ]; then
    awk '{ print "deb", $1, $2, "main" }' <<<"$sources" >"$rootfs/etc/apt/sources.list"
  fi
  # As in Debian's official images: apt keeps no downloaded packages, so an
  # `apt-get install` layer holds only what it installed.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" --numeric-owner -c . | podman import -q - localhost/innoscope-debian:bookworm >/dev/null
  # Slim: what debian:bookworm-slim leaves out, and keeps out of later installs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/innoscope-slim" <<'EOF'
# Documentation, manual pages and translations are not installed in this image.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/groff/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
         "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/groff/*
  tar -C "$rootfs" --numeric-owner -c . |
    podman import -q - localhost/innoscope-debian:bookworm-slim >/dev/null
  rm -rf "$rootfs"
  say "imported localhost/innoscope-debian:bookworm and :bookworm-slim"
}

# The image to use for a Debian base (registry name $1, local name $2).
pick_base() {
  local registry="$1" local_name="$2"
  if [ "$BASE_MODE" != debootstrap ] && podman image exists "$registry"; then
    echo "$registry"; return
  fi
  if [ "$BASE_MODE" != registry ] && podman image exists "$local_name"; then
    echo "$local_name"; return
  fi
  if [ "$BASE_MODE" != debootstrap ] && podman pull -q "$registry" >/dev/null 2>&1; then
    echo "$registry"; return
  fi
  [ "$BASE_MODE" != registry ] || die "cannot pull $registry (--base registry)"
  debootstrap_bases
  echo "$local_name"
}

RUNTIME_IMAGE="$(pick_base docker.io/library/debian:bookworm-slim localhost/innoscope-debian:bookworm-slim)"
ARGS=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")

# ------------------------------------------------------------------- build

if [ -n "$FROM_BUILD" ]; then
  FROM_BUILD="$(cd "$FROM_BUILD" && pwd)"
  STAGE="$FROM_BUILD/container-stage"
  rm -rf "$STAGE"
  mkdir -p "$STAGE/out/usr/local/bin" "$STAGE/context"
  for b in "${BINARIES[@]}"; do
    [ -x "$FROM_BUILD/services/$b" ] || die "$FROM_BUILD/services/$b is not built; cmake --build \
$FROM_BUILD --target innoscope-ingest innoscope-weighting innoscope-scoring innoscope-network \
innoscope-recompute"
    # RelWithDebInfo binaries carry their debug information: strip it, as the
    # full build's `install -s` does.
    strip --strip-unneeded -o "$STAGE/out/usr/local/bin/${b#*/}" "$FROM_BUILD/services/$b"
  done
  DIGEST="$(cd "$STAGE/out" && find . -type f | sort | xargs sha256sum | sha256sum | cut -c1-64)"
  if [ "$(podman image inspect --format '{{index .Labels "innoscope.binaries"}}' "$TAG" \
          2>/dev/null || true)" = "$DIGEST" ]; then
    say "reusing $TAG: it holds exactly the binaries of $FROM_BUILD"
  else
    say "building $TAG: runtime stage from the binaries of $FROM_BUILD (base $RUNTIME_IMAGE)"
    "${PODMAN_BUILD[@]}" "${ARGS[@]}" --build-context "build=$STAGE" \
      --label "innoscope.binaries=$DIGEST" --label "innoscope.source=build-dir" \
      --label "innoscope.build_dir=$FROM_BUILD" -t "$TAG" "$STAGE/context" >&2
    # Earlier commits' images of this build folder are stale: remove them
    # (one still in use by a container stays).
    podman images --filter "label=innoscope.build_dir=$FROM_BUILD" \
        --format '{{.Repository}}:{{.Tag}}' | grep -vx "localhost/$TAG" |
      xargs -r podman rmi >/dev/null 2>&1 || true
  fi
else
  BASE_IMAGE="$(pick_base docker.io/library/debian:bookworm localhost/innoscope-debian:bookworm)"
  say "building $TAG: full multi-stage build (base $BASE_IMAGE, runtime $RUNTIME_IMAGE)"
  start=$SECONDS
  "${PODMAN_BUILD[@]}" "${ARGS[@]}" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    ${JOBS:+--build-arg "BUILD_JOBS=$JOBS"} --label "innoscope.source=full" \
    -t "$TAG" "$ROOT" >&2
  say "full build took $((SECONDS - start)) s"
fi

SIZE="$(podman image inspect --format '{{.Size}}' "$TAG")"
say "$TAG: $((SIZE / 1000000)) MB ($SIZE bytes)"
echo "$TAG"
