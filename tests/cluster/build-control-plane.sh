#!/bin/bash
# Adapted from ../shared/cluster. Build kube-apiserver, kube-controller-manager and kube-scheduler
# v1.20.2 (the oldest server the suite proves) from Debian bookworm's `kubernetes` source package
# (the whole upstream tree with vendor/), with the machine's Go (tests/cluster/machine-go.sh; the
# same one the v1.37 build uses). Debian's golang-go is not installed: on PATH it would shadow the
# machine's Go for the modern build, or the reverse. Output: $OUT; a no-op when it is there.
set -euo pipefail
WORK=${WORK:-/tmp/k8s-build}
OUT=${OUT:-/opt/k8s-1.20/bin}
t() { echo "[$(date +%T)] $*"; }

# Runtime needs (etcd, openssl, curl) even when the binaries are cached.
if ! command -v etcd >/dev/null || ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
  t "apt-get install etcd-server openssl curl"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server openssl curl >/dev/null
fi
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/kube-controller-manager" ] && [ -x "$OUT/kube-scheduler" ]; then
  t "binaries already in $OUT"; exit 0
fi
mkdir -p "$WORK" "$OUT"
HERE=$(cd "$(dirname "$0")" && pwd)
GO=$(MIN_GO=1.22 "$HERE/machine-go.sh")

# 1. deb-src for the same Debian mirror/suites as the deb entries
if ! grep -qs 'deb-src' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null; then
  cat > /etc/apt/sources.list.d/debian-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
t "apt-get update"
apt-get update -qq
t "apt-get install"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  etcd-server rsync jq make dpkg-dev openssl curl >/dev/null

# 2. source (34 MB orig tarball: whole k8s 1.20.2 tree incl. vendor/)
cd "$WORK"
t "apt-get source"
apt-get source --download-only -qq kubernetes
rm -rf kubernetes-1.20.2
tar xzf kubernetes_*.orig.tar.gz
cd kubernetes-1.20.2

# 3. vendored reflect2 v1.0.1 calls reflect.mapiterinit with the pre-Go-1.18
#    signature -> crashes when json-iterator encodes maps (pretty/YAML output).
#    Swap in reflect2 1.0.2 from the Go module proxy (same API, Go>=1.18 aware).
R=vendor/github.com/modern-go/reflect2
REFLECT2=$(cd "$WORK" && GOFLAGS=-mod=mod GOTOOLCHAIN=local "$GO" mod download -json github.com/modern-go/reflect2@v1.0.2 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$REFLECT2" ] || { echo "could not download github.com/modern-go/reflect2@v1.0.2" >&2; exit 1; }
rm -f $R/*.go $R/*.s
cp "$REFLECT2"/*.go "$REFLECT2"/*.s $R/
chmod u+w $R/*

# 4. build (GOPATH mode + vendor/, set by hack/lib/init.sh; no network)
export CGO_ENABLED=0 GOPROXY=off GOFLAGS= GOTOOLCHAIN=local HOME=${HOME:-/root}
export PATH="$(dirname "$GO"):$PATH"
t "build with $(go version)"
t "make kube-apiserver kube-controller-manager"
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
install -m 0755 _output/bin/kube-apiserver _output/bin/kube-controller-manager _output/bin/kube-scheduler "$OUT/"
t "done: $("$OUT/kube-apiserver" --version)"
# 5. reclaim ~2.2 GB
cd / && rm -rf "$WORK/kubernetes-1.20.2"
