#!/usr/bin/env bash
# Scale benchmark: starts its own control plane (ports apart from the tests'), builds release
# binaries, runs benches/scale.rs, prints the figures, stops the control plane.
#   scripts/bench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K8S_BIN=${K8S_BIN:-/opt/k8s-1.20/bin}
STATE=${STATE:-/tmp/sts-doctor-bench}
export API_PORT=${API_PORT:-16601} ETCD_PORT=${ETCD_PORT:-23901} ETCD_PEER_PORT=${ETCD_PEER_PORT:-23911} KCM_PORT=${KCM_PORT:-10401}
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
OUT="$K8S_BIN" $SUDO "$ROOT/tests/cluster/build-control-plane.sh"
command -v kubectl >/dev/null || { echo "kubectl is needed on PATH for the comparison"; exit 1; }
[ -x /usr/bin/time ] || $SUDO apt-get install -y -qq time >/dev/null
cd "$ROOT"
cargo bench --no-run --bench scale
trap '"$ROOT/tests/cluster/stop.sh" "$STATE"' EXIT
"$ROOT/tests/cluster/start.sh" "$K8S_BIN" "$STATE"
# Warm kubectl's discovery cache so its figures are steady-state, as for a user.
KUBECONFIG="$STATE/admin.kubeconfig" kubectl get sts,pods,pvc -A >/dev/null
STS_DOCTOR_TEST_KUBECONFIG="$STATE/admin.kubeconfig" cargo bench --bench scale
