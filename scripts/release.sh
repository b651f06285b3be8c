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
# krew-index requires. Upload dist/*-$VERSION-*.tar.gz to the GitHub release of the same tag.
# Needs bash, GNU tar, gzip, sha256sum and awk (tests/cli/krew.rs runs it on a copy).
set -euo pipefail
VERSION=${1:?version like v0.2.0}
DIR=${2:?directory of built binaries}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPO=${REPO:-https://github.com/sts-doctor/kubectl-sts-doctor}
# The manifest's version must be the binaries' (Cargo.toml's): tests/cli/krew.rs checks it too.
CRATE=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)
[ "$VERSION" = "v$CRATE" ] || { echo "release.sh: version $VERSION is not Cargo.toml's v$CRATE" >&2; exit 1; }
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
    sha256: \"$sum\"
    bin: $bin
    files:
      - from: $bin
        to: .
      - from: LICENSE
        to: .
"
  rm -rf "$stage"
done
# Version and platforms rewritten in place (platforms is the manifest's last key).
VERSION="$VERSION" PLATFORMS="$platforms" awk '
  /^  version: / { print "  version: " ENVIRON["VERSION"]; next }
  /^  platforms:$/ { print; printf "%s", ENVIRON["PLATFORMS"]; exit }
  { print }' "$ROOT/krew-manifest.yaml" > "$ROOT/krew-manifest.yaml.new"
mv "$ROOT/krew-manifest.yaml.new" "$ROOT/krew-manifest.yaml"
echo "wrote $DIST and krew-manifest.yaml for $VERSION"
