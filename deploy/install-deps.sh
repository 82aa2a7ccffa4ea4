#!/usr/bin/env bash
# Installs every Debian bookworm package Innoscope's build, tests, benchmarks
# and local stack need. Idempotent: does nothing when all are present.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # libraries (docs/architecture.md, "Dependencies"; googleapis: google/rpc protos)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev prometheus-cpp-dev libssl-dev
  libyaml-cpp-dev libpugixml-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  golang-github-gogo-googleapis-dev
  # local stack and integration tests
  postgresql-15 postgresql-client-15 prometheus prometheus-pushgateway curl procps
  # the pg tests' second pass through a pooler in transaction mode (deploy/test.sh)
  pgbouncer
  # benchmark peers (run with Debian's /usr/bin/python3; libcsv for bench/csv)
  python3 python3-numpy python3-igraph python3-networkx libcsv-dev
  # the sanitizer build and the libFuzzer targets (deploy/sanitize.sh): clang,
  # its ASan/UBSan/libFuzzer runtimes, llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # certificates made by the tests (tests/integration/postgres_tls_pgtest.cc)
  openssl
  # formatting check (tests/layout/format_test.sh)
  clang-format
  # the HTML report: CJK fonts for Chinese names, and its checks in a real browser
  # (tests/integration/report_browser_e2etest.py: headless Chromium, xmllint, PNG decoding)
  fonts-noto-cjk chromium libxml2-utils python3-pil
  # container image and pod rehearsal (deploy/container/build.sh, tests/container):
  # podman with runc, catatonit for the pods' pause image, debootstrap for the
  # Debian bases where no container registry answers
  podman runc catatonit debootstrap
  # API clients (docs/api.md): Python stubs (protoc + grpc_python_plugin of
  # protobuf-compiler-grpc) and the Python example client
  python3-grpcio python3-protobuf
)
# buf (lint, breaking-change check, buf curl) and the Node example client come
# from npm, installed with Debian's npm into project-local folders below. A
# machine that already has npm (e.g. a newer Node.js) keeps it.
if ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

# kubectl renders the kustomize overlays for the manifest checks
# (tests/k8s). Its components need kubectl >= 1.27, which Debian bookworm does
# not ship (kubernetes-client is 1.20), so it is not installed here: say so.
kubectl_note() {
  local minor=""
  if command -v kubectl >/dev/null; then
    minor=$(kubectl version --client -o json 2>/dev/null |
      sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -n 1)
  fi
  if [ -z "$minor" ] || [ "$minor" -lt 27 ]; then
    echo "install-deps: note: kubectl >= 1.27 not found and not installable from Debian" \
         "bookworm (it ships 1.20); the Kubernetes manifest tests will report" \
         "'skipped: kubectl >= 1.27 not found'. Install kubectl >= 1.27 to run them."
  fi
}
kubectl_note

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm packages, pinned by package.json and package-lock.json, into
# deploy/tools/node_modules (buf) and examples/clients/node/node_modules (grpc-js,
# proto-loader); nothing global. Skipped when the installed tree matches the
# lock file.
npm_install() {
  local ROOT
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local dir
  for dir in deploy/tools examples/clients/node; do
    if [ -f "$ROOT/$dir/node_modules/.package-lock.json" ] &&
       [ "$ROOT/$dir/node_modules/.package-lock.json" -nt "$ROOT/$dir/package-lock.json" ]; then
      continue
    fi
    echo "install-deps: npm ci in $dir"
    (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  done
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  npm_install
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's postgresql and prometheus packages would start system services
# where an init system runs; the local stack never uses them.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_install
echo "install-deps: done"
