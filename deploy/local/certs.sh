#!/usr/bin/env bash
# Certificates for mutual TLS, made with openssl (local stack --tls and the
# security tests; in Kubernetes cert-manager makes them, k8s/components/tls).
#
#   deploy/local/certs.sh ca PREFIX
#       a self-signed CA: PREFIX.crt, PREFIX.key (EC P-256, 10 years)
#   deploy/local/certs.sh issue CA_PREFIX OUT_PREFIX NAME [--expired] [--dns NAME]...
#       OUT_PREFIX.crt/.key signed by the CA, for both TLS server and client
#       use, with the SANs URI:spiffe://innoscope/NAME, DNS:NAME, DNS:localhost
#       and IP:127.0.0.1 (unless --dns names are given: then only those and
#       the URI). --expired: valid 2020-01-01 to 2020-01-02 (for tests).
#   deploy/local/certs.sh stack DIR NAME...
#       DIR/ca.{crt,key} (kept when present) and DIR/NAME.{crt,key} for each
#       NAME (the local stack's workloads and its CLI client).
set -euo pipefail

die() { echo "certs: error: $*" >&2; exit 1; }

make_ca() {
  local prefix="$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
    -subj "/CN=innoscope-ca-$(basename "$prefix")" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$prefix.key" -out "$prefix.crt" 2>/dev/null
  chmod 600 "$prefix.key"
}

issue() {
  local ca="$1" out="$2" name="$3"; shift 3
  local expired=0 dns=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --expired) expired=1 ;;
      --dns) shift; dns+=("$1") ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  local san="URI:spiffe://innoscope/$name"
  if [ ${#dns[@]} -eq 0 ]; then
    san="$san,DNS:$name,DNS:localhost,IP:127.0.0.1"
  else
    for d in "${dns[@]}"; do san="$san,DNS:$d"; done
  fi
  local work; work="$(mktemp -d)"
  cat > "$work/ext.cnf" <<CNF
[v3]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san
CNF
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$out.key" -out "$work/req.csr" 2>/dev/null
  chmod 600 "$out.key"
  if [ "$expired" -eq 0 ]; then
    openssl x509 -req -in "$work/req.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial \
      -CAserial "$work/serial" -days 825 -sha256 -extfile "$work/ext.cnf" -extensions v3 \
      -out "$out.crt" 2>/dev/null
  else
    # `openssl ca` is the one openssl command that takes explicit dates.
    mkdir -p "$work/new"
    : > "$work/index.txt"
    echo 01 > "$work/serial"
    cat > "$work/ca.cnf" <<CNF
[ca]
default_ca=local
[local]
database=$work/index.txt
new_certs_dir=$work/new
serial=$work/serial
default_md=sha256
policy=any
[any]
commonName=supplied
CNF
    openssl ca -batch -notext -config "$work/ca.cnf" -cert "$ca.crt" -keyfile "$ca.key" \
      -in "$work/req.csr" -out "$out.crt" -startdate 20200101000000Z -enddate 20200102000000Z \
      -extfile "$work/ext.cnf" -extensions v3 2>/dev/null
  fi
  rm -rf "$work"
}

case "${1:-}" in
  ca) [ $# -eq 2 ] || die "usage: certs.sh ca PREFIX"; make_ca "$2" ;;
  issue) [ $# -ge 4 ] || die "usage: certs.sh issue CA_PREFIX OUT_PREFIX NAME [--expired]"
         shift; issue "$@" ;;
  stack)
    [ $# -ge 3 ] || die "usage: certs.sh stack DIR NAME..."
    dir="$2"; shift 2
    mkdir -p "$dir"
    [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ] || make_ca "$dir/ca"
    for name in "$@"; do issue "$dir/ca" "$dir/$name" "$name"; done ;;
  *) die "usage: certs.sh ca|issue|stack ..." ;;
esac
