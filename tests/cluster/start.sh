#!/bin/bash
# Start etcd + kube-apiserver + kube-controller-manager + kube-scheduler on 127.0.0.1 only.
# Adapted from ../shared/cluster/start-k8s.sh: readiness is probed with curl (no kubectl needed),
# the controller-manager gets a higher client QPS so 1000-replica StatefulSets come up in
# seconds, and a cluster already running from STATEDIR is stopped first (idempotent).
#
# Every controller runs (node lifecycle, taint eviction, pod GC, StatefulSet, PV, attach/detach,
# GC) and the real scheduler: the tests' simulated kubelet only does a kubelet's and the CSI
# sidecars' jobs. A node is lost in real time, with the controllers' periods shortened by flags:
# its Lease is no longer renewed -> Unknown and tainted NODE_GRACE later -> its pods evicted
# (Terminating) TOLERATION seconds after the taint (the default tolerations the API server adds).
# Tests run side by side, each with its own nodes: PodNodeSelector keeps each test namespace's
# pods on its nodes (the namespace's scheduler.alpha.kubernetes.io/node-selector annotation).
# Usage: start.sh [BINDIR] [STATEDIR]
set -euo pipefail
BIN=${1:-/opt/k8s-1.20/bin}
S=${2:-/tmp/sts-doctor-cluster}
HERE=$(cd "$(dirname "$0")" && pwd)
ETCD_PORT=${ETCD_PORT:-23790}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-23800}
API_PORT=${API_PORT:-16443}
KCM_PORT=${KCM_PORT:-10257}
SCHED_PORT=${SCHED_PORT:-10259}
NODE_GRACE=${NODE_GRACE:-10s}
TOLERATION=${TOLERATION:-2}
# Flags removed in 1.24 (the insecure ports) go to older servers only.
MINOR=$("$BIN/kube-apiserver" --version | sed -n 's/^Kubernetes v1\.\([0-9]*\).*/\1/p')
[ -n "$MINOR" ] || { echo "cannot read the version of $BIN/kube-apiserver" >&2; exit 1; }
INSECURE_API=; INSECURE_PORT=
if [ "$MINOR" -lt 24 ]; then INSECURE_API=--insecure-port=0; INSECURE_PORT=--port=0; fi

"$HERE/stop.sh" "$S"
# etcd fsyncs its WAL on every write: on a busy or throttled disk one sync can take seconds and
# requests fail with "etcdserver: request timed out" (5s syncs were seen while builds wrote to the
# disk). The data is throwaway, so it lives in /dev/shm when that has 1 GiB free ($S/etcd is then
# a link; ETCD_IN_MEMORY=0 keeps it on disk). Like the on-disk data, it stays after stop.sh until
# the next FRESH start.
SHM_ETCD=/dev/shm/sts-doctor-etcd-$(printf %s "$S" | cksum | cut -d' ' -f1)
# accounts/: the tests' service-account kubeconfigs, whose tokens die with the etcd data.
if [ "${FRESH:-1}" = 1 ]; then rm -rf "$S/etcd" "$SHM_ETCD" "$S/logs" "$S/accounts"; fi
mkdir -p "$S"/{pki,logs,kcm-certs,apiserver-certs}
if [ ! -e "$S/etcd" ]; then
  rm -f "$S/etcd" # a link left dangling (/dev/shm emptied by a reboot)
  shm_free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
  if [ "${ETCD_IN_MEMORY:-1}" = 1 ] && [ "${shm_free_kb:-0}" -ge 1048576 ] && mkdir -p "$SHM_ETCD" 2>/dev/null; then
    ln -s "$SHM_ETCD" "$S/etcd"
  else
    mkdir -p "$S/etcd"
  fi
fi
cd "$S/pki"
if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=sts-doctor-test-ca" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  echo "sts-doctor-admin-token,admin,admin-uid,system:masters" > tokens.csv
  echo "sts-doctor-kcm-token,system:kube-controller-manager,kcm-uid,system:masters" >> tokens.csv
  # An unprivileged user for RBAC tests (403 paths): no bindings unless a test adds them.
  echo "sts-doctor-viewer-token,viewer,viewer-uid" >> tokens.csv
fi
mk_kubeconfig() { # file token user
cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:${API_PORT}
    certificate-authority: $S/pki/ca.crt
users:
- name: $3
  user:
    token: $2
contexts:
- name: local
  context: {cluster: local, user: $3, namespace: default}
current-context: local
KC
}
mk_kubeconfig "$S/admin.kubeconfig" sts-doctor-admin-token admin
mk_kubeconfig "$S/kcm.kubeconfig" sts-doctor-kcm-token system:kube-controller-manager
mk_kubeconfig "$S/viewer.kubeconfig" sts-doctor-viewer-token viewer

ETCD=${ETCD:-etcd}
nohup "$ETCD" --name=test --data-dir="$S/etcd" \
  --listen-client-urls=http://127.0.0.1:${ETCD_PORT} --advertise-client-urls=http://127.0.0.1:${ETCD_PORT} \
  --listen-peer-urls=http://127.0.0.1:${ETCD_PEER_PORT} --initial-advertise-peer-urls=http://127.0.0.1:${ETCD_PEER_PORT} \
  --initial-cluster=test=http://127.0.0.1:${ETCD_PEER_PORT} \
  --quota-backend-bytes=2147483648 \
  > "$S/logs/etcd.log" 2>&1 &
echo $! > "$S/etcd.pid"

for i in $(seq 1 300); do curl -sf http://127.0.0.1:${ETCD_PORT}/health >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:${ETCD_PORT}/health >/dev/null || { echo "etcd not healthy"; tail -30 "$S/logs/etcd.log"; exit 1; }

nohup "$BIN/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:${ETCD_PORT} \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=${API_PORT} $INSECURE_API \
  --tls-cert-file="$S/pki/apiserver.crt" --tls-private-key-file="$S/pki/apiserver.key" --client-ca-file="$S/pki/ca.crt" \
  --token-auth-file="$S/pki/tokens.csv" --authorization-mode=RBAC --anonymous-auth=false \
  --service-account-key-file="$S/pki/sa.pub" --service-account-signing-key-file="$S/pki/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local --api-audiences=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
  --max-requests-inflight=800 --max-mutating-requests-inflight=400 \
  --default-not-ready-toleration-seconds=${TOLERATION} --default-unreachable-toleration-seconds=${TOLERATION} \
  --enable-admission-plugins=PodNodeSelector \
  --cert-dir="$S/apiserver-certs" --profiling=false \
  > "$S/logs/kube-apiserver.log" 2>&1 &
echo $! > "$S/kube-apiserver.pid"

api() { curl -sf --cacert "$S/pki/ca.crt" -H "Authorization: Bearer sts-doctor-admin-token" "https://127.0.0.1:${API_PORT}$1"; }
for i in $(seq 1 600); do api /readyz >/dev/null && break; sleep 0.1; done
api /readyz >/dev/null || { echo "apiserver not ready"; tail -30 "$S/logs/kube-apiserver.log"; exit 1; }

# Node lifecycle, shortened: a node whose Lease is not renewed for NODE_GRACE is Unknown and
# tainted within a second. The eviction rate limiter and the zone-disruption rules are opened up:
# the tests' nodes all sit in one zone and many tests lose nodes at once (a "partially disrupted"
# small zone would stop tainting altogether). The anchor node (below) keeps the zone from ever
# being fully disrupted, where the controller would take every taint off again.
nohup "$BIN/kube-controller-manager" \
  --kubeconfig="$S/kcm.kubeconfig" \
  --authentication-kubeconfig="$S/kcm.kubeconfig" --authorization-kubeconfig="$S/kcm.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=${KCM_PORT} $INSECURE_PORT --cert-dir="$S/kcm-certs" \
  --leader-elect=false --use-service-account-credentials=false \
  --service-account-private-key-file="$S/pki/sa.key" --root-ca-file="$S/pki/ca.crt" \
  --controllers="${KCM_CONTROLLERS:-*}" --profiling=false \
  --node-monitor-period=1s --node-monitor-grace-period=${NODE_GRACE} --node-startup-grace-period=${NODE_GRACE} \
  --node-eviction-rate=1000 --secondary-node-eviction-rate=1000 --unhealthy-zone-threshold=1 \
  --kube-api-qps=${KCM_QPS:-300} --kube-api-burst=${KCM_BURST:-500} \
  > "$S/logs/kube-controller-manager.log" 2>&1 &
echo $! > "$S/kube-controller-manager.pid"

# The real scheduler, its back-off shortened (a pod waiting for its claim is retried soon).
mkdir -p "$S/sched-certs"
SCHED_API=kubescheduler.config.k8s.io/v1; [ "$MINOR" -lt 25 ] && SCHED_API=kubescheduler.config.k8s.io/v1beta1
cat > "$S/scheduler.yaml" <<YAML
apiVersion: $SCHED_API
kind: KubeSchedulerConfiguration
clientConnection: {kubeconfig: "$S/kcm.kubeconfig", qps: 300, burst: 500}
leaderElection: {leaderElect: false}
podInitialBackoffSeconds: 1
podMaxBackoffSeconds: 2
YAML
# Before 1.23 the scheduler also serves healthz and metrics on 0.0.0.0:10251 (its config
# overrides --port=0): a port of this cluster's own on loopback, so clusters side by side start.
if [ "$MINOR" -lt 23 ]; then
  printf 'healthzBindAddress: "127.0.0.1:%s"\nmetricsBindAddress: "127.0.0.1:%s"\n' \
    $((SCHED_PORT + 1)) $((SCHED_PORT + 1)) >> "$S/scheduler.yaml"
fi
nohup "$BIN/kube-scheduler" --config="$S/scheduler.yaml" \
  --authentication-kubeconfig="$S/kcm.kubeconfig" --authorization-kubeconfig="$S/kcm.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=${SCHED_PORT} $INSECURE_PORT --cert-dir="$S/sched-certs" \
  > "$S/logs/kube-scheduler.log" 2>&1 &
echo $! > "$S/kube-scheduler.pid"
sleep 1
kill -0 "$(cat "$S/kube-scheduler.pid")" 2>/dev/null || { echo "kube-scheduler exited"; tail -5 "$S/logs/kube-scheduler.log"; exit 1; }

# KCM is up once the serviceaccount controller has made default/default
for i in $(seq 1 600); do api /api/v1/namespaces/default/serviceaccounts/default >/dev/null && break; sleep 0.1; done
api /api/v1/namespaces/default/serviceaccounts/default >/dev/null || { echo "controller-manager not ready"; tail -30 "$S/logs/kube-controller-manager.log"; exit 1; }
nohup "$HERE/anchor-node.sh" "$S" "https://127.0.0.1:${API_PORT}" > "$S/logs/anchor-node.log" 2>&1 &
echo $! > "$S/anchor-node.pid"
echo "ready: Kubernetes $("$BIN/kube-apiserver" --version | cut -d' ' -f2), KUBECONFIG=$S/admin.kubeconfig"
