#!/usr/bin/env bash
# Installs every Debian bookworm package Innoscope's build, tests, benchmarks
# and local stack need. Idempotent: does nothing when all are present.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # libraries (docs/architecture.md, "Dependencies")
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev prometheus-cpp-dev libssl-dev
  libyaml-cpp-dev libpugixml-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # local stack and integration tests
  postgresql-15 postgresql-client-15 prometheus prometheus-pushgateway curl procps
  # benchmark peers (run with Debian's /usr/bin/python3; libcsv for bench/csv)
  python3 python3-numpy python3-igraph python3-networkx libcsv-dev
  # libFuzzer targets
  clang
  # certificates made by the tests (tests/integration/postgres_tls_pgtest.cc)
  openssl
  # formatting check (tests/layout/format_test.sh)
  clang-format
)

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

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
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
echo "install-deps: done"
