//! Failure-domain findings on fixtures.

use serde_json::json;

use super::*;
use crate::testing::*;

fn found(objects: Vec<serde_json::Value>) -> Vec<(&'static str, String)> {
    let snap = snapshot(objects);
    findings(&snap, &snap.statefulsets[0])
        .into_iter()
        .filter(|f| f.code.starts_with("replicas-"))
        .map(|f| (f.code, f.message))
        .collect()
}

fn without_spread(objects: &mut [serde_json::Value]) {
    patch(objects, "StatefulSet", "web", json!({ "spec": { "template": { "spec": { "affinity": null } } } }));
}

#[test]
fn ordinals_sharing_a_node_without_anti_affinity_say_what_a_node_failure_leaves() {
    // healthy(): web-0, web-2 on n1.
    let mut objects = healthy("web", 3);
    assert!(found(objects.clone()).is_empty(), "preferred anti-affinity on the hostname");
    without_spread(&mut objects);
    let f = found(objects);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "replicas-share-a-node");
    assert_eq!(
        f[0].1,
        "web-0, web-2 run on node n1 with no pod anti-affinity or topology spread on kubernetes.io/hostname: losing \
         that node takes out 2 of 3 replicas, leaving 1: below a majority (2 of 3): a quorum-based system (etcd, \
         ZooKeeper, Raft) stops"
    );
    // 5 replicas, 2 on one node: a majority stays.
    let mut objects = healthy("web", 5);
    without_spread(&mut objects);
    for (pod, node) in [("web-0", "n1"), ("web-1", "n1"), ("web-2", "n2"), ("web-3", "n3"), ("web-4", "n4")] {
        patch(&mut objects, "Pod", pod, json!({ "spec": { "nodeName": node } }));
    }
    let f = found(objects);
    assert!(f[0].1.ends_with("takes out 2 of 5 replicas, leaving 3: a majority (3 of 5) stays"), "{f:?}");
}

#[test]
fn all_in_one_zone_is_worth_knowing_unless_spread_over_zones() {
    let mut objects = healthy("web", 2);
    for n in ["n1", "n2"] {
        patch(&mut objects, "Node", n, json!({ "metadata": { "labels": { "topology.kubernetes.io/zone": "z1" } } }));
    }
    let f = found(objects.clone());
    assert_eq!(f.iter().map(|f| f.0).collect::<Vec<_>>(), ["replicas-in-one-zone"], "{f:?}");
    assert!(
        f[0].1.contains("all 2 running pod(s) are in zone z1") && f[0].1.contains("2 of 2 replicas, leaving 0"),
        "{f:?}"
    );
    let spread = json!({ "spec": { "template": { "spec": { "topologySpreadConstraints": [
        { "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule" }] } } } });
    patch(&mut objects, "StatefulSet", "web", spread);
    assert!(found(objects).is_empty());
    // A node without a zone label: nothing said.
    assert!(found(healthy("web", 2)).is_empty());
}
