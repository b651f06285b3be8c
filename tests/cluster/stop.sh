#!/bin/bash
# Stop what start.sh started, by PID file only (safe to run when nothing runs).
S=${1:-/tmp/sts-doctor-cluster}
for p in anchor-node kube-scheduler kube-controller-manager kube-apiserver etcd; do
  [ -f "$S/$p.pid" ] || continue
  pid=$(cat "$S/$p.pid"); kill "$pid" 2>/dev/null
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$S/$p.pid"
done
exit 0
