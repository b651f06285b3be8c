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
rm -f go.mod go.sum # a build interrupted earlier
# Everything through the go command (its GOPROXY, GOFLAGS, netrc), never a hand-made request.
# The release's own go.mod says which staging modules it replaces (all of them, some never
# published, e.g. the sample-* ones).
download() { "$GO" mod download -json "$1" 2>/dev/null; }
field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" | head -1; }
KUBERNETES=$(download "k8s.io/kubernetes@$VERSION") || { echo "k8s.io/kubernetes@$VERSION: not served by the Go module proxy" >&2; exit 1; }
cp "$(printf '%s\n' "$KUBERNETES" | field GoMod)" kubernetes.mod
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
    if download "$m@$STAGING_VERSION" | grep -q '"GoMod"'; then echo "	$m => $m $STAGING_VERSION"; fi
  done
  echo ")"
} > go.mod.new # not go.mod yet: `go mod download` above must not read a half-written one
rm -f go.mod; mv go.mod.new go.mod
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

# The release's commit, from the module's .info Origin when the proxy gives one (else empty).
COMMIT=$(tr -d '\n' < "$(printf '%s\n' "$KUBERNETES" | field Info)" | sed -n 's/.*"Hash": *"\([0-9a-f]*\)".*/\1/p')
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
