#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it). On a fresh Debian machine it installs
# what is missing (etcd, openssl, curl; Rust), builds the two control planes once (cached by
# version: /opt/k8s-1.37/bin from the k8s.io/kubernetes Go module, /opt/k8s-1.20/bin from Debian's
# source package), runs the unit and CLI tests, then the whole end-to-end suite against each
# server on a cluster of its own (etcd + kube-apiserver + kube-controller-manager + kube-scheduler
# on loopback), and clippy. A failure on either server fails the run. Safe to run repeatedly.
#
#   tests/run.sh                      everything
#   tests/run.sh rollout              only end-to-end tests matching "rollout", on both servers
#   SERVERS=1.37 tests/run.sh ...     one server only (1.37, 1.20)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODERN_VERSION=${K8S_VERSION:-v1.37.2}
SERVERS=${SERVERS:-1.37 1.20}
STATE_BASE=${STS_DOCTOR_STATE:-/tmp/sts-doctor-test-cluster}
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY"' EXIT
t() { echo "[$(date +%T)] $*"; }
# Per-stage wall time, printed again at the end.
STAGE=; STAGE_START=0
stage() {
  local now; now=$(date +%s)
  if [ -n "$STAGE" ]; then printf '%-44s %5ss\n' "$STAGE" "$((now - STAGE_START))" >> "$SUMMARY"; fi
  STAGE=$1; STAGE_START=$now
  [ -n "$STAGE" ] && t "== $STAGE"
  return 0
}
RUN_START=$(date +%s)

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
  echo "tests/run.sh: installing what is missing needs root: run it as root or install sudo" >&2; exit 1
fi
stage "toolchain"
# What a fresh Debian lacks for rustup and for building (cc links every binary; ring compiles C).
if ! command -v curl >/dev/null || [ ! -f /etc/ssl/certs/ca-certificates.crt ] || ! command -v cc >/dev/null; then
  t "apt-get install curl ca-certificates gcc libc6-dev"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    curl ca-certificates gcc libc6-dev >/dev/null
fi
# What the clusters need at run time, whichever servers are asked for.
if ! command -v etcd >/dev/null || ! command -v openssl >/dev/null; then
  t "apt-get install etcd-server openssl"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server openssl >/dev/null
fi
if ! command -v cargo >/dev/null; then
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null; then
  t "installing Rust (rustup, stable)"
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  . "$HOME/.cargo/env"
fi

# Through env: sudo resets the environment, which would drop OUT.
for server in $SERVERS; do
  case $server in
    1.20) stage "control plane v1.20.2 (built once)"
          $SUDO env OUT=/opt/k8s-1.20/bin "$ROOT/tests/cluster/build-control-plane.sh" ;;
    1.37) stage "control plane $MODERN_VERSION (built once)"
          $SUDO env OUT=/opt/k8s-1.37/bin "$ROOT/tests/cluster/build-modern.sh" "$MODERN_VERSION" ;;
    *) echo "tests/run.sh: unknown server $server (SERVERS takes 1.37 and 1.20)" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
stage "cargo build"
# Exactly what `cargo test` below runs (lib, bin and test targets, in the test profile), so it only
# runs; clippy --all-targets still checks the benches.
cargo test --locked --no-run --lib --bins --tests

if [ $# -eq 0 ]; then
  stage "unit and CLI tests"
  cargo test --locked --lib --bins --test cli
fi

# One server's end-to-end suite on a cluster of its own (own ports and state), stopped after.
# The servers' suites run side by side (they mostly wait on controllers); each one's output is
# kept in its own log and printed whole when both are done.
e2e() { # minor port-offset log [cargo test args]
  local minor=$1 off=$2 log=$3; shift 3
  local bin=/opt/k8s-$minor/bin state=$STATE_BASE-$minor
  (
    export ETCD_PORT=$((23790 + off)) ETCD_PEER_PORT=$((23800 + off)) API_PORT=$((16443 + off))
    export KCM_PORT=$((10257 + off)) SCHED_PORT=$((10259 + off))
    trap '"$ROOT/tests/cluster/stop.sh" "$state"' EXIT
    "$ROOT/tests/cluster/start.sh" "$bin" "$state"
    export STS_DOCTOR_TEST_KUBECONFIG="$state/admin.kubeconfig" STS_DOCTOR_REQUIRE_CLUSTER=1
    # End-to-end tests mostly wait on controllers: run more of them at once than there are cores.
    export RUST_TEST_THREADS=${RUST_TEST_THREADS:-6}
    cargo test --locked --test e2e "$@"
  ) > "$log" 2>&1
}
stage "end-to-end tests on $(for s in $SERVERS; do printf 'v%s ' "$s"; done)"
LOGS=$(mktemp -d)
pids=(); off=0
for server in $SERVERS; do
  e2e "$server" "$off" "$LOGS/$server.log" "$@" &
  pids+=("$!"); off=$((off + 100))
done
failed=0; i=0
for server in $SERVERS; do
  rc=0; wait "${pids[$i]}" || rc=$?
  i=$((i + 1))
  echo "---- end-to-end tests on v$server (exit $rc)"
  cat "$LOGS/$server.log"
  result=$(grep -E '^test result:' "$LOGS/$server.log" | tail -1 || true)
  echo "e2e on $("/opt/k8s-$server/bin/kube-apiserver" --version): ${result:-no result} (exit $rc)" >> "$SUMMARY.servers"
  [ "$rc" = 0 ] || failed=1
done
rm -rf "$LOGS"

if [ $# -eq 0 ] && [ $failed = 0 ]; then
  stage "cargo clippy"
  cargo clippy --locked --all-targets -- -D warnings
fi
stage ""
echo
echo "== stages"
cat "$SUMMARY"
printf '%-44s %5ss\n' "total" "$(($(date +%s) - RUN_START))"
echo "== servers"
cat "$SUMMARY.servers" 2>/dev/null; rm -f "$SUMMARY.servers"
if [ $failed != 0 ]; then t "end-to-end tests failed (see above)"; exit 1; fi
t "all tests passed"
