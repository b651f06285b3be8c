#!/bin/bash
# Adapted from ../shared/cluster. Build kube-apiserver + kube-controller-manager v1.20.2 from Debian bookworm's
# `kubernetes` source package (full upstream tree with vendor/), fully offline
# apart from Debian's apt mirror. Output: $OUT/kube-apiserver, $OUT/kube-controller-manager
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
if [ -x "$OUT/kube-apiserver" ] && [ -x "$OUT/kube-controller-manager" ]; then
  t "binaries already in $OUT"; exit 0
fi
mkdir -p "$WORK" "$OUT"

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
  golang-go etcd-server rsync jq make dpkg-dev openssl curl \
  golang-github-modern-go-reflect2-dev >/dev/null

# 2. source (34 MB orig tarball: whole k8s 1.20.2 tree incl. vendor/)
cd "$WORK"
t "apt-get source"
apt-get source --download-only -qq kubernetes
rm -rf kubernetes-1.20.2
tar xzf kubernetes_*.orig.tar.gz
cd kubernetes-1.20.2

# 3. vendored reflect2 v1.0.1 calls reflect.mapiterinit with the pre-Go-1.18
#    signature -> crashes when json-iterator encodes maps (pretty/YAML output).
#    Swap in Debian's reflect2 1.0.2 (same API, Go>=1.18 aware).
R=vendor/github.com/modern-go/reflect2
rm -f $R/*.go $R/*.s
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s $R/

# 4. build (GOPATH mode + vendor/, set by hack/lib/init.sh; no network)
export CGO_ENABLED=0 GOPROXY=off GOFLAGS= HOME=${HOME:-/root}
t "make kube-apiserver kube-controller-manager"
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
install -m 0755 _output/bin/kube-apiserver _output/bin/kube-controller-manager _output/bin/kube-scheduler "$OUT/"
t "done: $("$OUT/kube-apiserver" --version)"
# 5. reclaim ~2.2 GB
cd / && rm -rf "$WORK/kubernetes-1.20.2"
