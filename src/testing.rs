//! Fixtures for unit tests: Kubernetes objects written as JSON (as a server would send them,
//! including fields only newer servers have), converted through the same `From` impls the live
//! code uses.
#![cfg(test)]

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::autoscaling::v1 as autoscaling;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use serde_json::{Value, json};

use crate::model::{self, Snapshot};

pub mod mock_api;

/// The fixed "now" of every fixture.
pub fn now() -> Timestamp {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

pub fn ago(secs: i64) -> String {
    (now() - SignedDuration::from_secs(secs)).to_string()
}

/// What `rollout` reads, as at [`now`]: StatefulSet `set`, `pods`, no ControllerRevisions.
pub fn rollout_inputs(set: Value, pods: Vec<Value>) -> crate::cluster::revisions::RolloutInputs {
    crate::cluster::revisions::RolloutInputs {
        now: now(),
        server: crate::cluster::server_time::ServerTime::default(),
        sts: model::StatefulSet::from(&serde_json::from_value(set).unwrap()),
        pods: pods.into_iter().map(|p| model::Pod::from(&serde_json::from_value(p).unwrap())).collect(),
        revisions: Ok(vec![]),
    }
}

/// RFC 7386 merge of `patch` into `base`.
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    merge(b.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p,
    }
}

pub fn uid(name: &str) -> String {
    format!("uid-{name}")
}

/// A StatefulSet as a 1.20 server returns it: `replicas` pods, one `data` template of 1Gi,
/// OrderedReady, RollingUpdate partition 0, settled on revision `<name>-r1`.
pub fn sts(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": { "name": name, "namespace": "shop", "uid": uid(name), "resourceVersion": "100",
                      "generation": 1, "creationTimestamp": ago(86400) },
        "spec": {
            "replicas": replicas, "serviceName": name,
            "selector": { "matchLabels": { "app": name } },
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "partition": 0 } },
            "template": { "metadata": { "labels": { "app": name } }, "spec": {
                "containers": [{ "name": "app", "image": "app:1" }],
                "affinity": { "podAntiAffinity": { "preferredDuringSchedulingIgnoredDuringExecution": [{ "weight": 100,
                    "podAffinityTerm": { "topologyKey": "kubernetes.io/hostname",
                                         "labelSelector": { "matchLabels": { "app": name } } } }] } } } },
            "volumeClaimTemplates": [{ "metadata": { "name": "data" }, "spec": {
                "accessModes": ["ReadWriteOnce"], "storageClassName": "fast",
                "resources": { "requests": { "storage": "1Gi" } } } }]
        },
        "status": { "observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                    "currentReplicas": replicas, "updatedReplicas": replicas,
                    "currentRevision": format!("{name}-r1"), "updateRevision": format!("{name}-r1") }
    })
}

/// A Running, Ready pod of StatefulSet `sts` on node `node`, on revision `<sts>-r1`.
pub fn pod(sts: &str, ordinal: i32, node: &str) -> Value {
    let name = format!("{sts}-{ordinal}");
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": "shop", "uid": uid(&name), "resourceVersion": "200",
            "creationTimestamp": ago(3600),
            "labels": { "app": sts, "controller-revision-hash": format!("{sts}-r1"),
                        "statefulset.kubernetes.io/pod-name": name },
            "ownerReferences": [{ "apiVersion": "apps/v1", "kind": "StatefulSet", "name": sts, "uid": uid(sts),
                                  "controller": true, "blockOwnerDeletion": true }]
        },
        "spec": {
            "nodeName": node,
            "containers": [{ "name": "app", "image": "app:1" }],
            "volumes": [{ "name": "data", "persistentVolumeClaim": { "claimName": format!("data-{name}") } }]
        },
        "status": {
            "phase": "Running", "podIP": format!("10.1.0.{}", ordinal.rem_euclid(250) + 1),
            "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(3500) }],
            "containerStatuses": [{ "name": "app", "ready": true, "restartCount": 0, "image": "app:1", "imageID": "",
                                    "state": { "running": { "startedAt": ago(3500) } } }]
        }
    })
}

/// `pod` labelled as created from ControllerRevision `hash`.
pub fn on_revision(pod: Value, hash: &str) -> Value {
    with(pod, serde_json::json!({ "metadata": { "labels": { "controller-revision-hash": hash } } }))
}

pub fn with(mut value: Value, patch: Value) -> Value {
    merge(&mut value, patch);
    value
}

/// A bound claim `<template>-<sts>-<ordinal>` of 1Gi on PV `pv-<claim>`, labelled like the controller does.
pub fn claim(template: &str, sts: &str, ordinal: i32) -> Value {
    let name = format!("{template}-{sts}-{ordinal}");
    json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": { "name": name, "namespace": "shop", "uid": uid(&name), "resourceVersion": "300",
                      "creationTimestamp": ago(7200), "labels": { "app": sts },
                      "managedFields": [{ "manager": "kube-controller-manager", "operation": "Update",
                                          "apiVersion": "v1", "time": ago(7200), "fieldsType": "FieldsV1",
                                          "fieldsV1": { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
                                                        "f:spec": { "f:accessModes": {}, "f:volumeName": {} } } }] },
        "spec": { "accessModes": ["ReadWriteOnce"], "storageClassName": "fast", "volumeName": format!("pv-{name}"),
                  "resources": { "requests": { "storage": "1Gi" } } },
        "status": { "phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": { "storage": "1Gi" } }
    })
}

pub fn volume(claim_name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": { "name": format!("pv-{claim_name}"), "uid": uid(&format!("pv-{claim_name}")),
                      "resourceVersion": "400", "creationTimestamp": ago(7200) },
        "spec": { "capacity": { "storage": "1Gi" }, "accessModes": ["ReadWriteOnce"],
                  "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "fast",
                  "claimRef": { "namespace": "shop", "name": claim_name, "uid": uid(claim_name) },
                  "csi": { "driver": "ebs.csi.aws.com", "volumeHandle": format!("vol-{claim_name}") } },
        "status": { "phase": "Bound" }
    })
}

pub fn node(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": { "name": name, "uid": uid(name), "resourceVersion": "500" },
        "spec": {},
        "status": { "conditions": [{ "type": "Ready", "status": "True", "reason": "KubeletReady",
                                     "lastHeartbeatTime": ago(10), "lastTransitionTime": ago(86400) }] }
    })
}

/// A node whose kubelet stopped `secs` ago: Ready Unknown, unreachable taints.
pub fn lost_node(name: &str, secs: i64) -> Value {
    with(
        node(name),
        json!({
            "spec": { "taints": [
                { "key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": ago(secs - 40) },
                { "key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": ago(secs - 40) }
            ] },
            "status": { "conditions": [{ "type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                                         "lastHeartbeatTime": ago(secs), "lastTransitionTime": ago(secs - 40) }] }
        }),
    )
}

pub fn lease(node: &str, renewed_secs_ago: i64) -> Value {
    json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": { "name": node, "namespace": "kube-node-lease" },
        "spec": { "holderIdentity": node, "leaseDurationSeconds": 40,
                  "renewTime": (now() - SignedDuration::from_secs(renewed_secs_ago)).strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string() }
    })
}

/// A PV spec patch: a local volume, pinned by node affinity to the nodes whose
/// kubernetes.io/hostname label is in `hostnames`.
pub fn local_volume_on(hostnames: Value) -> Value {
    json!({ "spec": { "csi": null, "local": { "path": "/mnt/disk1" },
        "nodeAffinity": { "required": { "nodeSelectorTerms": [{ "matchExpressions": [
            { "key": "kubernetes.io/hostname", "operator": "In", "values": hostnames }] }] } } } })
}

pub fn service(name: &str, headless: bool) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": { "name": name, "namespace": "shop" },
        "spec": { "clusterIP": if headless { "None" } else { "10.0.0.9" }, "ports": [{ "port": 80 }],
                  "selector": { "app": name } }
    })
}

pub fn event(sts: &str, reason: &str, message: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": { "name": format!("{sts}.1"), "namespace": "shop" },
        "involvedObject": { "kind": "StatefulSet", "name": sts, "namespace": "shop" },
        "reason": reason, "message": message, "type": "Warning", "count": 4, "lastTimestamp": ago(30)
    })
}

/// An autoscaling/v1 HorizontalPodAutoscaler `name` of `min`..=`max` replicas for the StatefulSet `target`.
pub fn hpa(name: &str, target: &str, min: i32, max: i32) -> Value {
    json!({
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": { "name": name, "namespace": "shop", "uid": uid(name) },
        "spec": { "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "StatefulSet", "name": target },
                  "minReplicas": min, "maxReplicas": max, "targetCPUUtilizationPercentage": 80 }
    })
}

/// A policy/v1 PodDisruptionBudget `name` selecting `app=<app>` with `spec` (minAvailable or
/// maxUnavailable), its status as the disruption controller writes it.
pub fn pdb(name: &str, app: &str, spec: Value, status: Value) -> Value {
    let mut spec = spec;
    spec["selector"] = json!({ "matchLabels": { "app": app } });
    let mut status = status;
    status["observedGeneration"] = json!(1);
    json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": { "name": name, "namespace": "shop", "uid": uid(name), "generation": 1 },
        "spec": spec, "status": status
    })
}

/// Builds a snapshot from JSON objects of any kind (dispatching on `kind`).
pub fn snapshot(objects: Vec<Value>) -> Snapshot {
    let mut snap = Snapshot::empty(now());
    for object in objects {
        match object["kind"].as_str().unwrap() {
            "StatefulSet" => snap
                .statefulsets
                .push(model::StatefulSet::from(&serde_json::from_value::<apps::StatefulSet>(object).unwrap())),
            "Pod" => snap.add_pod(model::Pod::from(&serde_json::from_value::<core::Pod>(object).unwrap())),
            "PersistentVolumeClaim" => snap
                .add_claim(model::Claim::from(&serde_json::from_value::<core::PersistentVolumeClaim>(object).unwrap())),
            "PersistentVolume" => {
                let v = model::Volume::from(&serde_json::from_value::<core::PersistentVolume>(object).unwrap());
                snap.volumes.as_mut().unwrap().insert(v.name.clone(), v);
            }
            "Node" => {
                let n = model::Node::from(&serde_json::from_value::<core::Node>(object).unwrap());
                snap.nodes.as_mut().unwrap().insert(n.name.clone(), n);
            }
            "Lease" => {
                let l = model::Lease::from(&serde_json::from_value::<coordination::Lease>(object).unwrap());
                snap.leases.as_mut().unwrap().insert(l.node.clone(), l);
            }
            "Service" => {
                let s = model::Service::from(&serde_json::from_value::<core::Service>(object).unwrap());
                snap.services.as_mut().unwrap().insert((s.namespace.clone(), s.name.clone()), s);
            }
            "Event" => snap
                .events
                .as_mut()
                .unwrap()
                .push(model::Event::from(&serde_json::from_value::<core::Event>(object).unwrap())),
            "HorizontalPodAutoscaler" => snap.autoscalers.as_mut().unwrap().push(model::Autoscaler::from(
                &serde_json::from_value::<autoscaling::HorizontalPodAutoscaler>(object).unwrap(),
            )),
            "PodDisruptionBudget" if object["apiVersion"] == "policy/v1beta1" => {
                snap.disruption_budgets.as_mut().unwrap().push(model::DisruptionBudget::from_v1beta1(object).unwrap())
            }
            "PodDisruptionBudget" => snap.disruption_budgets.as_mut().unwrap().push(model::DisruptionBudget::from(
                &serde_json::from_value::<k8s_openapi::api::policy::v1::PodDisruptionBudget>(object).unwrap(),
            )),
            other => panic!("fixture kind {other} not supported"),
        }
    }
    snap
}

/// A healthy StatefulSet `name` with `replicas` pods on n1/n2, claims, PVs, nodes, leases, service,
/// and a PodDisruptionBudget `name` of maxUnavailable 1 (one disruption allowed).
pub fn healthy(name: &str, replicas: i32) -> Vec<Value> {
    let mut objects = unguarded(name, replicas);
    let status = json!({ "disruptionsAllowed": 1, "currentHealthy": replicas, "desiredHealthy": replicas - 1,
                         "expectedPods": replicas });
    objects.push(pdb(name, name, json!({ "maxUnavailable": 1 }), status));
    objects
}

/// [`healthy`] without its PodDisruptionBudget.
pub fn unguarded(name: &str, replicas: i32) -> Vec<Value> {
    let mut objects =
        vec![sts(name, replicas), service(name, true), node("n1"), node("n2"), lease("n1", 5), lease("n2", 5)];
    for i in 0..replicas {
        objects.push(pod(name, i, if i % 2 == 0 { "n1" } else { "n2" }));
        let c = claim("data", name, i);
        objects.push(volume(c["metadata"]["name"].as_str().unwrap()));
        objects.push(c);
    }
    objects
}

/// Replaces the object of `kind` named `name` in `objects`, merging `patch` into it.
pub fn patch(objects: &mut [Value], kind: &str, name: &str, p: Value) {
    let target = objects
        .iter_mut()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in fixture"));
    merge(target, p);
}

/// Removes the object of `kind` named `name`.
pub fn remove(objects: &mut Vec<Value>, kind: &str, name: &str) {
    objects.retain(|o| !(o["kind"] == kind && o["metadata"]["name"] == name));
}
