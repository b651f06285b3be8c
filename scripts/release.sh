#!/usr/bin/env bash
# Packages release archives and rewrites krew-manifest.yaml with their URLs and sha256 sums.
#
#   scripts/release.sh v0.2.0 DIR
#
# DIR holds one built binary per krew platform, named after the Rust target:
#   DIR/x86_64-unknown-linux-musl/kubectl-sts_doctor      DIR/aarch64-unknown-linux-musl/...
#   DIR/x86_64-apple-darwin/kubectl-sts_doctor            DIR/aarch64-apple-darwin/...
#   DIR/x86_64-pc-windows-msvc/kubectl-sts_doctor.exe
# (cross-compiled in the release CI). Each archive holds the binary, LICENSE and README.md, as
# krew-index requires. Upload dist/*.tar.gz|zip to the GitHub release of the same tag.
set -euo pipefail
VERSION=${1:?version like v0.2.0}
DIR=${2:?directory of built binaries}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPO=${REPO:-https://github.com/sts-doctor/kubectl-sts-doctor}
DIST="$ROOT/dist"; mkdir -p "$DIST"
declare -A OS=( [x86_64-unknown-linux-musl]=linux/amd64 [aarch64-unknown-linux-musl]=linux/arm64
                [x86_64-apple-darwin]=darwin/amd64 [aarch64-apple-darwin]=darwin/arm64
                [x86_64-pc-windows-msvc]=windows/amd64 )
platforms=""
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc; do
  os=${OS[$target]%/*}; arch=${OS[$target]#*/}
  bin=kubectl-sts_doctor; [ "$os" = windows ] && bin=kubectl-sts_doctor.exe
  stage=$(mktemp -d); cp "$DIR/$target/$bin" "$ROOT/LICENSE" "$ROOT/README.md" "$stage/"
  name="kubectl-sts_doctor-$VERSION-$target.tar.gz"
  tar -C "$stage" --owner=0 --group=0 --mtime='2020-01-01' -czf "$DIST/$name" "$bin" LICENSE README.md
  sum=$(sha256sum "$DIST/$name" | cut -d' ' -f1)
  platforms+="  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $REPO/releases/download/$VERSION/$name
    sha256: "$sum"
    bin: $bin
    files:
      - from: $bin
        to: .
      - from: LICENSE
        to: .
"
  rm -rf "$stage"
done
python3 - "$ROOT/krew-manifest.yaml" "$VERSION" "$platforms" <<'PY'
import re, sys
path, version, platforms = sys.argv[1:]
text = open(path).read()
text = re.sub(r"(?m)^  version: .*$", f"  version: {version}", text)
text = re.sub(r"(?ms)^  platforms:\n.*\Z", "  platforms:\n" + platforms, text)
open(path, "w").write(text)
PY
echo "wrote $DIST and krew-manifest.yaml for $VERSION"
