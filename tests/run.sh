#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it). On a fresh Debian machine it installs
# what is missing (etcd, openssl, curl; Go and the source package to build the control plane
# once, cached in /opt/k8s-1.20/bin), starts etcd + kube-apiserver + kube-controller-manager on
# loopback, runs every test against them, and stops them again. Safe to run repeatedly.
# Extra arguments go to `cargo test` (e.g. tests/run.sh --test e2e rollout).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K8S_BIN=${K8S_BIN:-/opt/k8s-1.20/bin}
STATE=${STS_DOCTOR_STATE:-/tmp/sts-doctor-test-cluster}
t() { echo "[$(date +%T)] $*"; }

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
  echo "tests/run.sh: installing what is missing needs root: run it as root or install sudo" >&2; exit 1
fi
# What a fresh Debian lacks for rustup and for building (cc links every binary; ring compiles C).
if ! command -v curl >/dev/null || [ ! -f /etc/ssl/certs/ca-certificates.crt ] || ! command -v cc >/dev/null; then
  t "apt-get install curl ca-certificates gcc libc6-dev"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    curl ca-certificates gcc libc6-dev >/dev/null
fi
if ! command -v cargo >/dev/null; then
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null; then
  t "installing Rust (rustup, stable)"
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  . "$HOME/.cargo/env"
fi
t "control plane (build once, cached in $K8S_BIN)"
# Through env: sudo resets the environment, which would drop OUT.
$SUDO env OUT="$K8S_BIN" "$ROOT/tests/cluster/build-control-plane.sh"

cd "$ROOT"
t "cargo build"
# Exactly what `cargo test` below runs (lib, bin and test targets, in the test profile), so it only
# runs; clippy --all-targets still checks the benches.
cargo test --locked --no-run --lib --bins --tests

t "start cluster in $STATE"
trap '"$ROOT/tests/cluster/stop.sh" "$STATE"' EXIT
"$ROOT/tests/cluster/start.sh" "$K8S_BIN" "$STATE"
export STS_DOCTOR_TEST_KUBECONFIG="$STATE/admin.kubeconfig" STS_DOCTOR_REQUIRE_CLUSTER=1
# End-to-end tests mostly wait on controllers: run more of them at once than there are cores.
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-8}

t "cargo test"
cargo test --locked --lib --bins --tests "$@"
if [ $# -eq 0 ]; then
  t "cargo clippy"
  cargo clippy --locked --all-targets -- -D warnings
fi
t "all tests passed"
