use serde_json::json;

use super::*;
use crate::testing::*;

pub(super) fn codes(r: &DoctorReport, sts: &str) -> Vec<&'static str> {
    r.statefulsets.iter().find(|s| s.name == sts).unwrap().findings.iter().map(|f| f.code).collect()
}

#[test]
fn a_healthy_namespace_has_no_findings() {
    let r = diagnose(&snapshot(healthy("web", 3)), Some("shop"));
    assert_eq!(r.summary.statefulsets, 1);
    assert_eq!(r.summary.worst, None);
    assert!(codes(&r, "web").is_empty());
}

#[test]
fn findings_are_sorted_worst_first_with_suggestions() {
    let mut objects = healthy("web", 3);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    objects.push(lost_node("n2", 900));
    objects.push(lease("n2", 900));
    remove(&mut objects, "Service", "web");
    let r = diagnose(&snapshot(objects.clone()), Some("shop"));
    assert_eq!(codes(&r, "web"), ["pod-on-lost-node", "service-missing"]);
    let f = &r.statefulsets[0].findings[0];
    assert_eq!(f.subject.as_deref(), Some("web-1"));
    // Ordinals' suggestion: nothing in the API confirms the loss (no deleted Node, no shutdown or
    // out-of-service taint), so a bare force-delete would refuse.
    let snap = snapshot(objects.clone());
    let row = &crate::ordinals::diagnose(&snap, &snap.statefulsets[0]).ordinals[1];
    assert_eq!(f.suggestion, row.suggestion);
    assert!(
        f.suggestion.as_deref().unwrap().starts_with(
            "kubectl sts-doctor -n shop force-delete web-1 --node-fenced  # only if the node is really gone"
        ),
        "{:?}",
        f.suggestion
    );
    assert_eq!((r.summary.errors, r.summary.warnings, r.summary.worst), (1, 1, Some(Severity::Error)));

    // A shutdown taint is a strong signal: no --node-fenced.
    patch(
        &mut objects,
        "Node",
        "n2",
        json!({ "spec": { "taints": [
        { "key": "node.cloudprovider.kubernetes.io/shutdown", "effect": "NoSchedule" }] } }),
    );
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(
        r.statefulsets[0].findings[0].suggestion.as_deref(),
        Some("kubectl sts-doctor -n shop force-delete web-1  # if the node is really gone")
    );
}

#[test]
fn governing_service_codes() {
    let mut objects = healthy("web", 1);
    patch(&mut objects, "Service", "web", json!({ "spec": { "selector": { "app": "other" } } }));
    let r = diagnose(&snapshot(objects.clone()), Some("shop"));
    assert_eq!(codes(&r, "web"), ["service-selects-no-pods"]);
    patch(&mut objects, "Service", "web", json!({ "spec": { "clusterIP": "10.0.0.9", "selector": { "app": "web" } } }));
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(codes(&r, "web"), ["service-not-headless"]);
}

#[test]
fn a_succeeded_pod_is_a_finding_and_says_whether_the_controller_replaces_it() {
    // Pods end Succeeded after e.g. a node shutdown; controllers before kubernetes#121389 never
    // replace them.
    let mut objects = healthy("web", 3);
    patch(&mut objects, "Pod", "web-2", json!({ "status": { "phase": "Succeeded" } }));
    let mut snap = snapshot(objects);
    snap.server_version = crate::model::ServerVersion::parse("v1.20.2", "1", "20");
    let r = diagnose(&snap, Some("shop"));
    assert_eq!(codes(&r, "web"), ["pod-failed"]);
    let message = &r.statefulsets[0].findings[0].message;
    assert!(message.contains("Succeeded") && message.contains("stays Succeeded until it is deleted"), "{message}");
    snap.server_version = crate::model::ServerVersion::parse("v1.30.1", "1", "30");
    let r = diagnose(&snap, Some("shop"));
    assert!(r.statefulsets[0].findings[0].message.contains("the controller deletes and recreates it"));
}

#[test]
fn blocked_ordinals_are_one_finding_naming_the_blocker() {
    let mut objects = healthy("web", 4);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }),
    );
    remove(&mut objects, "Pod", "web-2");
    remove(&mut objects, "Pod", "web-3");
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(codes(&r, "web"), ["ordinal-blocked", "pod-not-ready"]);
    let f = &r.statefulsets[0].findings[0];
    assert!(
        f.message.starts_with("web-2, web-3 not created: waiting for web-1 to be Running and Ready"),
        "{}",
        f.message
    );
}

#[test]
fn orphaned_and_drifted_claims() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 2 }, "status": { "replicas": 2 } }));
    remove(&mut objects, "Pod", "web-2");
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-0",
        json!({ "spec": { "resources": { "requests": { "storage": "5Gi" } } },
        "status": { "capacity": { "storage": "5Gi" } } }),
    );
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(codes(&r, "web"), ["claims-orphaned", "claim-drift"]);
    assert_eq!(r.statefulsets[0].findings[0].suggestion.as_deref(), Some("kubectl sts-doctor -n shop reclaim web"));
}

#[test]
fn rollout_states() {
    // Partitioned canary: web-2 updated and Ready, partition 2.
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 2 } } },
        "status": { "updateRevision": "web-r2" } }),
    );
    patch(&mut objects, "Pod", "web-2", json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } }));
    let r = diagnose(&snapshot(objects.clone()), Some("shop"));
    assert_eq!(codes(&r, "web"), ["rollout-partitioned"]);

    // Reverted template, broken pod left on a third revision: the #67250 trap.
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 0 } } },
        "status": { "updateRevision": "web-r1" } }),
    );
    patch(
        &mut objects,
        "Pod",
        "web-2",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }],
                "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 6, "image": "app:2",
                    "imageID": "", "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } }),
    );
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(codes(&r, "web"), ["rollout-trapped", "pod-not-ready"]);
}

#[test]
fn partition_left_set_and_partition_beyond_replicas() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 1 } } } }),
    );
    assert_eq!(codes(&diagnose(&snapshot(objects.clone()), None), "web"), ["partition-set"]);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 5 } } } }),
    );
    assert_eq!(codes(&diagnose(&snapshot(objects), None), "web"), ["partition-exceeds-replicas"]);
}

#[test]
fn on_delete_lists_pods_keeping_the_old_template() {
    let mut objects = healthy("web", 2);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } },
        "status": { "updateRevision": "web-r2" } }),
    );
    let r = diagnose(&snapshot(objects), None);
    assert_eq!(codes(&r, "web"), ["on-delete-pending"]);
    assert!(r.statefulsets[0].findings[0].message.contains("2 pod(s) keep the old template"));
}

#[test]
fn a_stuck_rollout_is_an_error_from_the_rollout_diagnosis() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "status": { "updateRevision": "web-r2", "updatedReplicas": 1 } }),
    );
    patch(
        &mut objects,
        "Pod",
        "web-2",
        json!({
        "metadata": { "labels": { "controller-revision-hash": "web-r2" } },
        "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(900) }],
                    "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 9, "image": "app:2", "imageID": "",
                                            "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } }),
    );
    let r = diagnose(&snapshot(objects), Some("shop"));
    let codes = codes(&r, "web");
    assert_eq!(codes[0], "rollout-stuck", "{codes:?}");
    let f = &r.statefulsets[0].findings[0];
    assert_eq!(f.subject.as_deref(), Some("web-2"));
    assert_eq!(f.suggestion.as_deref(), Some("kubectl sts-doctor -n shop rollout web"));
    assert!(f.message.contains("web-2"), "{}", f.message);
}

#[test]
fn unreadable_nodes_and_leases_make_the_report_incomplete_and_say_what_was_not_checked() {
    // A namespace-scoped user: lost nodes cannot be detected. The exit code still follows the
    // findings (0 here), but JSON and the summary line say the check is incomplete.
    let mut snap = snapshot(healthy("web", 2));
    snap.nodes = Err("forbidden: needs get nodes".into());
    snap.leases = Err("forbidden: needs get leases.coordination.k8s.io".into());
    let r = diagnose(&snap, Some("shop"));
    assert_eq!(r.summary.worst, None);
    assert!(r.summary.incomplete);
    let parts: Vec<&str> = r.summary.unavailable.iter().map(|u| u.part).collect();
    assert_eq!(parts, ["nodes", "leases"]);
    assert_eq!(r.summary.unavailable[0].reason, "forbidden: needs get nodes");
    assert_eq!(r.summary.unchecked, ["pod-on-lost-node", "claim-pinned-to-lost-node", "replicas-in-one-zone"]);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["summary"]["incomplete"], true);
    assert_eq!(json["summary"]["unavailable"][1]["part"], "leases");
    let table = crate::render::doctor::table(&r, crate::render::style::Style::plain());
    assert!(
        table.contains(
            "1 statefulset(s): 0 error(s), 0 warning(s), 0 info; incomplete: nodes and leases unreadable, not \
             checked: pod-on-lost-node, claim-pinned-to-lost-node, replicas-in-one-zone\n"
        ),
        "{table}"
    );

    // The same parts in the ordinals and claims documents.
    let o = crate::ordinals::diagnose(&snap, &snap.statefulsets[0]);
    assert_eq!(o.unavailable, r.summary.unavailable);
    let c = crate::claims::diagnose(&snap, &snap.statefulsets[0]);
    assert_eq!(c.unavailable, r.summary.unavailable);

    let complete = diagnose(&snapshot(healthy("web", 2)), Some("shop"));
    assert!(!complete.summary.incomplete && complete.summary.unavailable.is_empty());
    let table = crate::render::doctor::table(&complete, crate::render::style::Style::plain());
    assert!(table.contains("1 statefulset(s): 0 error(s), 0 warning(s), 0 info\n"), "{table}");
}

/// A pod not Ready on a node the node controller marks Unknown while its kubelet still renews the
/// Lease: the finding carries its node's story (a status-only partition), as `ordinals` shows it.
#[test]
fn a_pod_finding_carries_its_nodes_health_where_it_explains_it() {
    let mut objects = healthy("db", 2);
    remove(&mut objects, "Node", "n2");
    objects.push(lost_node("n2", 520));
    patch(&mut objects, "Pod", "db-1", json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }));
    let r = diagnose(&snapshot(objects), Some("shop"));
    let f = r.statefulsets[0].findings.iter().find(|f| f.subject.as_deref() == Some("db-1")).expect("db-1 finding");
    assert_eq!(f.code, "pod-not-ready", "{f:?}");
    assert!(
        f.message.ends_with(
            "; its node n2 is Unknown 8m, but its kubelet still renews its Lease (renewed 5s ago): a status-only \
             partition (its kubelet is alive and may still run the pod; not a lost node)"
        ),
        "{}",
        f.message
    );
    // A pod on a Ready node: nothing added.
    let mut objects = healthy("db", 2);
    patch(&mut objects, "Pod", "db-1", json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }));
    let r = diagnose(&snapshot(objects), Some("shop"));
    let f = r.statefulsets[0].findings.iter().find(|f| f.subject.as_deref() == Some("db-1")).expect("db-1 finding");
    assert!(!f.message.contains("its node"), "{}", f.message);
}
