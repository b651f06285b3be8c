#!/usr/bin/env bash
# Scale benchmark: for each server (default: v1.37 and v1.20, the two the suite proves) starts a
# control plane of its own (ports apart from the tests'), runs benches/scale.rs against it, prints
# the figures (sts-doctor, kubectl of the v1.37 build, raw curl LISTs: the floor), stops it.
#   scripts/bench.sh                 both servers
#   SERVERS=1.37 scripts/bench.sh    one
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVERS=${SERVERS:-1.37 1.20}
MODERN_VERSION=${K8S_VERSION:-v1.37.2}
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
# kubectl of the same release as the modern control plane (the machine may have none, or another).
$SUDO env OUT=/opt/k8s-1.37/bin "$ROOT/tests/cluster/build-modern.sh" "$MODERN_VERSION"
export PATH="/opt/k8s-1.37/bin:$PATH"
[ -x /usr/bin/time ] || $SUDO apt-get install -y -qq time >/dev/null
cd "$ROOT"
cargo bench --no-run --bench scale
for server in $SERVERS; do
  case $server in
    1.20) $SUDO env OUT=/opt/k8s-1.20/bin "$ROOT/tests/cluster/build-control-plane.sh" ;;
    1.37) ;;
    *) echo "scripts/bench.sh: unknown server $server (1.37, 1.20)" >&2; exit 2 ;;
  esac
  STATE=/tmp/sts-doctor-bench-$server
  (
    export API_PORT=16601 ETCD_PORT=23901 ETCD_PEER_PORT=23911 KCM_PORT=10401 SCHED_PORT=10403
    # 6000 pods load the API server: the kubelets' heartbeats get a real kubelet's grace (40s).
    export NODE_GRACE=40s
    trap '"$ROOT/tests/cluster/stop.sh" "$STATE"' EXIT
    "$ROOT/tests/cluster/start.sh" "/opt/k8s-$server/bin" "$STATE"
    # Warm kubectl's discovery cache so its figures are steady-state, as for a user.
    KUBECONFIG="$STATE/admin.kubeconfig" kubectl get sts,pods,pvc -A >/dev/null
    echo "== server v$server"
    STS_DOCTOR_TEST_KUBECONFIG="$STATE/admin.kubeconfig" cargo bench --bench scale
  )
done
