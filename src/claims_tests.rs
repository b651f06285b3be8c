use serde_json::json;

use super::*;
use crate::testing::*;

pub(super) fn report(objects: Vec<serde_json::Value>) -> ClaimsReport {
    let snap = snapshot(objects);
    let sts = snap.statefulsets.iter().find(|s| s.name == "web").unwrap().clone();
    diagnose(&snap, &sts)
}

pub(super) fn kinds(r: &ClaimsReport, claim: &str) -> Vec<&'static str> {
    r.claims.iter().find(|c| c.claim == claim).map(|c| c.flags.iter().map(|f| f.kind).collect()).unwrap_or_default()
}

#[test]
fn healthy_claims_have_no_flags() {
    let r = report(healthy("web", 2));
    let names: Vec<&str> = r.claims.iter().map(|c| c.claim.as_str()).collect();
    assert_eq!(names, ["data-web-0", "data-web-1"]);
    let c = &r.claims[1];
    assert_eq!(c.status, ClaimStatus::Bound);
    assert_eq!(c.ownership, Some(Ownership::Labels));
    assert_eq!(c.mounted_by, ["web-1"]);
    assert_eq!(c.reclaim_policy.as_deref(), Some("Delete"));
    assert_eq!(
        (c.requested.as_deref(), c.capacity.as_deref(), c.template_size.as_deref()),
        (Some("1Gi"), Some("1Gi"), Some("1Gi"))
    );
    assert!(r.claims.iter().all(|c| c.flags.is_empty()), "{:?}", r.claims);
}

#[test]
fn several_templates_and_hyphenated_names() {
    let mut objects = vec![sts("pg-main", 2), node("n1"), lease("n1", 1)];
    patch(
        &mut objects,
        "StatefulSet",
        "pg-main",
        json!({ "spec": { "volumeClaimTemplates": [
        { "metadata": { "name": "my-data" }, "spec": { "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "10Gi" } } } },
        { "metadata": { "name": "wal" }, "spec": { "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "1Gi" } } } }
    ] } }),
    );
    for i in 0..2 {
        objects.push(pod("pg-main", i, "n1"));
        objects.push(with(
            claim("my-data", "pg-main", i),
            json!({ "spec": { "resources": { "requests": { "storage": "10Gi" } } },
                                                                 "status": { "capacity": { "storage": "10Gi" } } }),
        ));
        objects.push(claim("wal", "pg-main", i));
    }
    let snap = snapshot(objects);
    let r = diagnose(&snap, &snap.statefulsets[0]);
    let names: Vec<&str> = r.claims.iter().map(|c| c.claim.as_str()).collect();
    assert_eq!(names, ["my-data-pg-main-0", "wal-pg-main-0", "my-data-pg-main-1", "wal-pg-main-1"]);
    assert!(r.claims.iter().all(|c| c.status == ClaimStatus::Bound));
}

#[test]
fn scale_down_leaves_orphans_outside_the_range() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 } }));
    remove(&mut objects, "Pod", "web-1");
    remove(&mut objects, "Pod", "web-2");
    let r = report(objects);
    assert_eq!(kinds(&r, "data-web-0"), Vec::<&str>::new());
    assert_eq!(kinds(&r, "data-web-1"), ["orphan"]);
    assert_eq!(kinds(&r, "data-web-2"), ["orphan"]);
    assert!(!r.claims[1].in_range);
}

#[test]
fn prefix_sharing_statefulsets_do_not_steal_claims() {
    // web (1 replica) and web-1 (1 replica): data-web-1-0 is web-1's, never an orphan of web.
    let mut objects = healthy("web", 1);
    let mut other = sts("web-1", 1);
    merge(&mut other, json!({ "spec": { "selector": { "matchLabels": { "app": "web-1" } } } }));
    objects.push(other);
    objects.push(pod("web-1", 0, "n1"));
    objects.push(claim("data", "web-1", 0));
    let r = report(objects);
    let names: Vec<&str> = r.claims.iter().map(|c| c.claim.as_str()).collect();
    assert_eq!(names, ["data-web-0"]);
}

#[test]
fn a_claim_named_like_ours_but_labelled_for_another_app_is_foreign() {
    let mut objects = healthy("web", 1);
    objects.push(with(claim("data", "web", 5), json!({ "metadata": { "labels": { "app": "other" } } })));
    let r = report(objects);
    let row = r.claims.iter().find(|c| c.claim == "data-web-5").unwrap();
    assert_eq!(row.ownership, Some(Ownership::Foreign));
    assert_eq!(kinds(&r, "data-web-5"), ["foreign"]);
    // Outside the range, the table calls it foreign too: it is not ours to call an orphan.
    let table = crate::render::claims::table(&r, now(), crate::render::style::Style::plain());
    assert!(table.contains("\n5 (foreign)"), "{table}");
}

#[test]
fn retention_policy_owner_references_verify_ownership() {
    let mut objects = healthy("web", 1);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": {
        "persistentVolumeClaimRetentionPolicy": { "whenDeleted": "Delete", "whenScaled": "Retain" } } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-0",
        json!({ "metadata": { "labels": null,
        "ownerReferences": [{ "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": uid("web") }] } }),
    );
    let r = report(objects);
    assert_eq!(r.claims[0].ownership, Some(Ownership::OwnerReference));
    assert_eq!(r.claims[0].owners, ["StatefulSet web"]);
    assert!(r.statefulset.retention_field_present);
    assert_eq!(r.statefulset.retention.when_deleted, "Delete");
}

/// What v1.37 showed (tests/e2e/modern.rs): whenScaled=Delete, scaled 2 -> 1 with web-1 still
/// terminating; the controller made data-web-1 owned by web-1, so the garbage collector deletes
/// it with the pod: not an orphan, and not reused by a scale-up.
pub(crate) fn condemned_with_its_claim() -> Vec<serde_json::Value> {
    let mut objects = healthy("web", 2);
    let policy = json!({ "whenDeleted": "Retain", "whenScaled": "Delete" });
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "replicas": 1, "persistentVolumeClaimRetentionPolicy": policy } }),
    );
    patch(&mut objects, "Pod", "web-1", json!({ "metadata": { "deletionTimestamp": ago(5) } }));
    let owner =
        json!([{ "apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": uid("web-1"), "controller": true }]);
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", json!({ "metadata": { "ownerReferences": owner } }));
    objects
}

#[test]
fn a_claim_owned_by_its_condemned_pod_is_deleted_with_it_not_an_orphan() {
    let r = report(condemned_with_its_claim());
    assert_eq!(kinds(&r, "data-web-1"), ["deleted-with-pod"]);
    let flag = &r.claims[1].flags[0];
    assert_eq!(flag.severity, Severity::Info);
    assert_eq!(
        flag.message,
        "deleted with its pod: ordinal 1 is outside [0, 1); owned by pod web-1 (persistentVolumeClaimRetentionPolicy \
         whenScaled=Delete): the garbage collector deletes it once that pod is gone"
    );
    // Owned by the StatefulSet only (whenDeleted=Delete): kept across scale-down, an orphan.
    let mut objects = condemned_with_its_claim();
    let owner = json!([{ "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": uid("web") }]);
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", json!({ "metadata": { "ownerReferences": owner } }));
    assert_eq!(kinds(&report(objects), "data-web-1"), ["orphan"]);
}

#[test]
fn missing_pending_and_lost_claims() {
    let mut objects = healthy("web", 3);
    remove(&mut objects, "PersistentVolumeClaim", "data-web-0");
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-1",
        json!({ "spec": { "volumeName": null }, "status": { "phase": "Pending", "capacity": null } }),
    );
    patch(&mut objects, "PersistentVolumeClaim", "data-web-2", json!({ "status": { "phase": "Lost" } }));
    let r = report(objects);
    assert_eq!(kinds(&r, "data-web-0"), ["missing"]);
    assert_eq!(r.claims[0].flags[0].severity, Severity::Error);
    assert_eq!(kinds(&r, "data-web-1"), ["pending"]);
    assert_eq!(kinds(&r, "data-web-2"), ["lost"]);
}

#[test]
fn a_missing_claim_next_to_a_foreign_pod_is_not_a_claim_error() {
    // web-0 is not Ready, so the OrderedReady controller has not reached ordinal 1 yet; the pod
    // named web-1 is someone else's (labels do not match, no owner). The controller creates
    // data-web-1 just before it tries to create its own web-1 (CreateStatefulPod), so the missing
    // claim is no data loss: the foreign pod is the problem, reported by ordinals/doctor.
    let mut objects = healthy("web", 2);
    patch(
        &mut objects,
        "Pod",
        "web-0",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }),
    );
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "metadata": { "labels": { "app": "debug" }, "ownerReferences": null },
        "spec": { "volumes": null } }),
    );
    remove(&mut objects, "PersistentVolumeClaim", "data-web-1");
    let r = report(objects.clone());
    assert_eq!(kinds(&r, "data-web-1"), ["missing"]);
    let flag = &r.claims[1].flags[0];
    assert_eq!(flag.severity, Severity::Warning, "{}", flag.message);
    assert!(
        flag.message.contains("web-1 is not this StatefulSet's pod")
            && flag.message.contains("creates it just before it tries to create its own web-1"),
        "{}",
        flag.message
    );
    let snap = snapshot(objects);
    let codes: Vec<&str> = crate::doctor::findings(&snap, &snap.statefulsets[0]).iter().map(|f| f.code).collect();
    assert!(codes.contains(&"ordinal-foreign") && !codes.contains(&"claim-missing"), "{codes:?}");
}

#[test]
fn mounted_by_another_pod_is_flagged() {
    let mut objects = healthy("web", 2);
    let mut backup = pod("web", 0, "n2");
    merge(
        &mut backup,
        json!({ "metadata": { "name": "backup-x", "uid": "uid-backup", "ownerReferences": null, "labels": { "role": "backup" } },
        "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": "data-web-1" } }] } }),
    );
    objects.push(backup);
    let r = report(objects.clone());
    assert_eq!(r.claims[1].mounted_by, ["backup-x", "web-1"]);
    assert_eq!(kinds(&r, "data-web-1"), ["shared-mount"]);
    assert_eq!(r.claims[1].flags[0].message, "also mounted by backup-x, not only by web-1");
    remove(&mut objects, "Pod", "web-1");
    let r = report(objects);
    assert_eq!(r.claims[1].flags[0].message, "mounted by backup-x, not by its own pod web-1");
}

#[test]
fn local_volume_pinned_to_a_lost_node() {
    let mut objects = healthy("web", 2);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    objects.push(lost_node("n2", 900));
    objects.push(lease("n2", 900));
    patch(&mut objects, "PersistentVolume", "pv-data-web-1", local_volume_on(json!(["n2"])));
    let r = report(objects);
    let row = &r.claims[1];
    assert_eq!(row.node_affinity, ["kubernetes.io/hostname in (n2)"]);
    assert_eq!(kinds(&r, "data-web-1"), ["pinned-to-lost-node"]);
    assert!(
        row.flags[0].message.contains("pinned to node n2 which looks lost (Unknown 14m, lease 15m old)"),
        "{}",
        row.flags[0].message
    );
}

#[test]
fn local_volume_pinned_by_a_hostname_label_that_is_not_the_node_name() {
    // The scheduler matches a PV's kubernetes.io/hostname term against node labels; a kubelet's
    // hostname label need not be its Node name (cloud-provider names, --hostname-override).
    let mut objects = healthy("web", 2);
    patch(&mut objects, "Node", "n2", json!({ "metadata": { "labels": { "kubernetes.io/hostname": "host-2" } } }));
    patch(&mut objects, "PersistentVolume", "pv-data-web-1", local_volume_on(json!(["host-2"])));
    let r = report(objects.clone());
    let health = r.claims[1].pinned_node.as_ref().expect("pinned node");
    assert_eq!((health.node.as_str(), health.state.as_str(), health.suspect_lost), ("n2", "Ready", false));
    assert!(kinds(&r, "data-web-1").is_empty(), "{:?}", r.claims[1].flags);

    // Reachable from either of two nodes: lost only when both are.
    patch(&mut objects, "PersistentVolume", "pv-data-web-1", local_volume_on(json!(["gone", "host-2"])));
    let r = report(objects);
    assert_eq!(r.claims[1].pinned_node.as_ref().map(|h| h.node.as_str()), Some("n2"));
    assert!(kinds(&r, "data-web-1").is_empty(), "{:?}", r.claims[1].flags);
}

#[test]
fn storage_class_from_the_beta_annotation_as_the_pv_controller_reads_it() {
    // Older manifests set the class with volume.beta.kubernetes.io/storage-class, which the
    // controller copies from the template onto each claim; it wins over storageClassName.
    let beta = json!({ "annotations": { "volume.beta.kubernetes.io/storage-class": "slow" } });
    let mut objects = healthy("web", 2);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "volumeClaimTemplates": [{ "metadata": { "name": "data", "annotations": beta["annotations"] },
        "spec": { "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "1Gi" } } } }] } }),
    );
    for c in ["data-web-0", "data-web-1"] {
        patch(
            &mut objects,
            "PersistentVolumeClaim",
            c,
            json!({ "metadata": beta, "spec": { "storageClassName": null } }),
        );
    }
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-1",
        json!({ "metadata": { "annotations": {
        "volume.beta.kubernetes.io/storage-class": "fast" } } }),
    );
    let r = report(objects);
    assert_eq!(r.statefulset.templates[0].storage_class.as_deref(), Some("slow"));
    assert_eq!(r.claims[0].storage_class.as_deref(), Some("slow"));
    assert!(kinds(&r, "data-web-0").is_empty(), "{:?}", r.claims[0].flags);
    assert_eq!(kinds(&r, "data-web-1"), ["class-drift"]);
}

#[test]
fn ordinals_start_and_orphans_below_it() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 1 }, "replicas": 2 } }));
    remove(&mut objects, "Pod", "web-0");
    let r = report(objects);
    let rows: Vec<(&str, bool)> = r.claims.iter().map(|c| (c.claim.as_str(), c.in_range)).collect();
    assert_eq!(rows, [("data-web-1", true), ("data-web-2", true), ("data-web-0", false)]);
    assert_eq!(kinds(&r, "data-web-0"), ["orphan"]);
}
