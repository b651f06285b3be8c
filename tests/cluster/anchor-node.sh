#!/bin/bash
# A cordoned node that stays healthy for as long as the cluster runs: it reports Ready once and
# renews its Lease every 2 s. The node lifecycle controller stops all taint-based evictions (and
# takes the taints off) when every node of the cluster is not Ready ("master disruption mode"): a
# test losing the only node it has, while no other test has one, would never see its node tainted.
# No pod lands here (cordoned, and a NoSchedule taint). start.sh runs it; stop.sh ends it.
# Usage: anchor-node.sh STATEDIR API_URL
set -u
S=$1; API=$2
NODE=sts-doctor-anchor
call() { # method path [body] [content-type]
  curl -sf -o /dev/null --cacert "$S/pki/ca.crt" -H "Authorization: Bearer sts-doctor-admin-token" \
    -X "$1" -H "Content-Type: ${4:-application/json}" ${3:+--data "$3"} "$API$2"
}
now() { date -u +%Y-%m-%dT%H:%M:%S.%6NZ; }

call POST /api/v1/nodes "{\"metadata\":{\"name\":\"$NODE\",\"labels\":{\"kubernetes.io/hostname\":\"$NODE\"}},
  \"spec\":{\"unschedulable\":true,\"taints\":[{\"key\":\"sts-doctor/anchor\",\"effect\":\"NoSchedule\"}]}}"
call PATCH /api/v1/nodes/$NODE/status "{\"status\":{
  \"capacity\":{\"cpu\":\"1\",\"memory\":\"1Gi\",\"pods\":\"0\"},\"allocatable\":{\"cpu\":\"1\",\"memory\":\"1Gi\",\"pods\":\"0\"},
  \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"anchor\",
  \"lastHeartbeatTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"lastTransitionTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]}}" \
  application/merge-patch+json
call POST /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases "{\"metadata\":{\"name\":\"$NODE\"},
  \"spec\":{\"holderIdentity\":\"$NODE\",\"leaseDurationSeconds\":10,\"renewTime\":\"$(now)\"}}"
# Ends by itself once the API server has been gone for a minute (a cluster never stopped).
failures=0
while [ "$failures" -lt 30 ]; do
  if call PATCH /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$NODE \
    "{\"spec\":{\"renewTime\":\"$(now)\"}}" application/merge-patch+json; then failures=0; else failures=$((failures + 1)); fi
  sleep 2
done
