//! Every command that reads node health agrees with force-delete's gate on a deleted Node whose
//! kubelet still renews its Lease: it is not lost, so nothing points to `force-delete` (which
//! would refuse: "a fresh Lease always refuses").

use serde_json::json;

use crate::testing::*;

/// web-1's node n2 is deleted; its Lease (renewed `lease_age` seconds ago) is left.
fn deleted_n2(lease_age: i64) -> Vec<serde_json::Value> {
    let mut objects = healthy("web", 2);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    objects.push(lease("n2", lease_age));
    // data-web-1 is a local volume on n2.
    patch(&mut objects, "PersistentVolume", "pv-data-web-1", local_volume_on(json!(["n2"])));
    objects
}

#[test]
fn a_deleted_node_whose_kubelet_renews_its_lease_is_not_lost_anywhere() {
    let snap = snapshot(deleted_n2(1));
    let sts = snap.statefulsets[0].clone();

    let ordinals = crate::ordinals::diagnose(&snap, &sts);
    let row = &ordinals.ordinals[1];
    let health = row.node_health.as_ref().unwrap();
    assert_eq!((health.state.as_str(), health.suspect_lost), ("Deleted", false));
    assert_eq!(health.summary(snap.now), "Deleted, but its kubelet still renews its Lease (renewed 1s ago)");
    assert_eq!(row.why, None, "{row:?}");
    assert_eq!(row.suggestion, None, "{row:?}");
    let json = serde_json::to_value(health).unwrap();
    assert_eq!((json["state"].as_str(), json["suspectLost"].as_bool()), (Some("Deleted"), Some(false)));

    let doctor = crate::doctor::diagnose(&snap, Some("shop"));
    let codes: Vec<&str> = doctor.statefulsets[0].findings.iter().map(|f| f.code).collect();
    assert!(!codes.contains(&"pod-on-lost-node"), "{codes:?}");
    assert!(!codes.contains(&"claim-pinned-to-lost-node"), "{codes:?}");

    let claims = crate::claims::diagnose(&snap, &sts);
    let pinned = claims.claims[1].pinned_node.as_ref().unwrap();
    assert_eq!((pinned.node.as_str(), pinned.suspect_lost), ("n2", false));
    assert!(claims.claims[1].flags.iter().all(|f| f.kind != "pinned-to-lost-node"), "{:?}", claims.claims[1].flags);
}

#[test]
fn a_deleted_node_whose_lease_went_stale_is_lost_everywhere() {
    let snap = snapshot(deleted_n2(600));
    let sts = snap.statefulsets[0].clone();

    let ordinals = crate::ordinals::diagnose(&snap, &sts);
    let row = &ordinals.ordinals[1];
    assert!(row.node_health.as_ref().unwrap().suspect_lost);
    assert_eq!(
        row.why.as_deref(),
        Some("node n2 looks lost (Deleted, lease 10m old): the pod cannot be replaced until it is deleted")
    );

    let doctor = crate::doctor::diagnose(&snap, Some("shop"));
    let codes: Vec<&str> = doctor.statefulsets[0].findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"pod-on-lost-node") && codes.contains(&"claim-pinned-to-lost-node"), "{codes:?}");

    let claims = crate::claims::diagnose(&snap, &sts);
    assert!(claims.claims[1].flags.iter().any(|f| f.kind == "pinned-to-lost-node"), "{:?}", claims.claims[1].flags);
}
