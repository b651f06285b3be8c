#!/bin/bash
# Build kube-apiserver, kube-controller-manager, kube-scheduler and kubectl of a current release
# from the k8s.io/kubernetes Go module (the Go module proxy is the only source), cached by version.
#
# k8s.io/kubernetes cannot be built as a dependency on its own: its go.mod replaces every k8s.io/*
# staging module with ./staging/..., which a module download does not carry. So a throwaway wrapper
# module requires k8s.io/kubernetes vX.Y.Z and replaces each staging module it requires with that
# module's own v0.Y.Z release; the version ldflags make /version report the real release.
#
# Usage: build-modern.sh [VERSION]   (default $K8S_VERSION, else v1.37.2)
# Output: $OUT (default /opt/k8s-<major.minor>/bin); a no-op when the binaries are there.
# Uses the machine's Go (>= the release's go directive), never an apt-installed golang-go.
set -euo pipefail
VERSION=${1:-${K8S_VERSION:-v1.37.2}}
MINOR=${VERSION#v}; MINOR=${MINOR%.*}                # 1.37
OUT=${OUT:-/opt/k8s-$MINOR/bin}
WORK=${WORK:-/tmp/k8s-modern-build-$VERSION}
BINS="kube-apiserver kube-controller-manager kube-scheduler kubectl"
t() { echo "[$(date +%T)] $*"; }

have_all() { for b in $BINS; do [ -x "$OUT/$b" ] || return 1; done; [ "$(cat "$OUT/VERSION" 2>/dev/null)" = "$VERSION" ]; }
if have_all; then t "$VERSION binaries already in $OUT"; exit 0; fi

HERE=$(cd "$(dirname "$0")" && pwd)
GO=$("$HERE/machine-go.sh")
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
t "building $VERSION with $("$GO" version)"

mkdir -p "$WORK" "$OUT"
cd "$WORK"
PROXY=$("$GO" env GOPROXY | cut -d, -f1)
# The release's own go.mod: which staging modules it requires (the replace block names them all,
# some never published, e.g. the sample-* ones).
curl -sfL "$PROXY/k8s.io/kubernetes/@v/$VERSION.mod" -o kubernetes.mod
STAGING=$(awk '/=> \.\/staging\/src\// { print $1 }' kubernetes.mod)
STAGING_VERSION=v0.${VERSION#v1.}

{
  echo "module sts-doctor.local/k8s-build"
  echo
  awk '/^go / { print; exit }' kubernetes.mod
  echo
  echo "require k8s.io/kubernetes $VERSION"
  echo
  echo "replace ("
  for m in $STAGING; do
    # Only what the proxy serves at this release (required ones all are).
    if curl -sf -o /dev/null "$PROXY/$m/@v/$STAGING_VERSION.info"; then echo "	$m => $m $STAGING_VERSION"; fi
  done
  echo ")"
} > go.mod
cat > tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
t "go mod tidy (downloads the module graph)"
"$GO" mod tidy -e >/dev/null 2>tidy.log || { cat tidy.log; exit 1; }

# The release's commit, from the proxy's .info (pseudo-version data is not given for tags: use
# the module's Origin when present, else leave it empty).
COMMIT=$(curl -sfL "$PROXY/k8s.io/kubernetes/@v/$VERSION.info" | sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p')
MAJOR=${MINOR%%.*}; MINOR_ONLY=${MINOR#*.}
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS="$LDFLAGS -X $pkg.gitVersion=$VERSION -X $pkg.gitMajor=$MAJOR -X $pkg.gitMinor=$MINOR_ONLY"
  LDFLAGS="$LDFLAGS -X $pkg.gitCommit=${COMMIT} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
done

for b in $BINS; do
  if [ -x "$WORK/bin/$b" ]; then continue; fi
  t "go build $b"
  "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$WORK/bin/$b.tmp" "k8s.io/kubernetes/cmd/$b"
  mv "$WORK/bin/$b.tmp" "$WORK/bin/$b"
done
for b in $BINS; do install -m 0755 "$WORK/bin/$b" "$OUT/$b"; done
echo "$VERSION" > "$OUT/VERSION"
t "done: $("$OUT/kube-apiserver" --version), kubectl $("$OUT/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p')"
# The module cache stays (a later version shares most of it); the build folder goes.
cd / && rm -rf "$WORK"
