//! Unit tests of the claims `reclaim` must never take: a StatefulSet scaled to zero, claims
//! someone else created, claims used through ephemeral volumes, and a data fate that changed
//! between the plan and the confirmation.

use super::*;

/// Managed fields as the API server records them: `entries` of (manager, fieldsV1).
fn managed(entries: &[(&str, Value)]) -> Value {
    let list: Vec<Value> = entries
        .iter()
        .map(|(manager, fields)| {
            json!({ "manager": manager, "operation": "Update", "apiVersion": "v1", "time": ago(60),
                    "fieldsType": "FieldsV1", "fieldsV1": fields })
        })
        .collect();
    json!({ "metadata": { "managedFields": list } })
}

#[test]
fn a_volume_switched_to_delete_after_the_plan_stops_the_delete() {
    let mut objects = scaled_down(3, 1);
    patch(
        &mut objects,
        "PersistentVolume",
        "pv-data-web-1",
        json!({ "spec": { "persistentVolumeReclaimPolicy": "Retain" } }),
    );
    let keep = PlanOptions { keep_volume: true, ..PlanOptions::default() };
    let planned_keep = plan_with(objects.clone(), keep).candidates;
    let planned = plan_of(objects.clone()).candidates;
    assert_eq!(planned[0].data_fate, DataFate::Kept);

    // Confirmed on "the PV is kept"; meanwhile the PV went back to Delete (the claim itself is unchanged).
    patch(
        &mut objects,
        "PersistentVolume",
        "pv-data-web-1",
        json!({ "metadata": { "resourceVersion": "401" }, "spec": { "persistentVolumeReclaimPolicy": "Delete" } }),
    );
    let (go, changed) = revalidate(&planned, &plan_of(objects.clone()));
    assert_eq!(go.iter().map(|c| c.claim.as_str()).collect::<Vec<_>>(), ["data-web-2"]);
    assert_eq!((changed[0].claim.as_str(), changed[0].outcome), ("data-web-1", ClaimOutcome::Conflict));
    assert_eq!(
        changed[0].message,
        "since the plan, what deleting it does to the data changed: planned \"Retain: PV pv-data-web-1 is kept, \
         Released, with the data\", now \"Delete: PV pv-data-web-1 and the data on it are destroyed\": not deleted \
         (re-run to plan again)"
    );

    // With --keep-volume the PV is switched to Retain again first: the outcome is the one confirmed.
    let (go, changed) = revalidate(&planned_keep, &plan_with(objects, keep));
    assert_eq!((go.len(), changed.len()), (2, 0));
    assert_eq!(go[0].volume_resource_version.as_deref(), Some("401"), "the patch carries the fresh resourceVersion");
}

#[test]
fn a_claim_a_pod_uses_through_an_ephemeral_volume_is_in_use() {
    // A pod `data-web` with a generic ephemeral volume `2` uses the claim `data-web-2`.
    let mut objects = scaled_down(3, 1);
    objects.push(with(
        pod("backup", 0, "n1"),
        json!({ "metadata": { "name": "data-web", "ownerReferences": null, "labels": { "role": "scratch" } },
                "spec": { "volumes": [{ "name": "2", "ephemeral": { "volumeClaimTemplate": { "spec": {
                    "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "1Gi" } } } } } }] } }),
    ));
    let p = plan_of(objects);
    assert_eq!(names(&p), ["data-web-1"]);
    let s = skip_of(&p, "data-web-2");
    assert_eq!(
        (s.kind, s.reason.as_str()),
        ("in-use", "used by pod data-web (Running): never deleted while a pod uses it")
    );
}

#[test]
fn a_statefulset_scaled_to_zero_keeps_all_its_claims() {
    // replicas 0 stops a StatefulSet: every claim is outside [0, 0), and together they hold all its data.
    let p = plan_of(scaled_down(3, 0));
    assert_eq!(p.refusal, None);
    assert!(p.candidates.is_empty(), "{:?}", names(&p));
    for name in ["data-web-0", "data-web-1", "data-web-2"] {
        let s = skip_of(&p, name);
        assert_eq!(s.kind, "scaled-to-zero");
        assert!(s.reason.starts_with("web is scaled to 0 replicas: that stops a StatefulSet"), "{}", s.reason);
    }
}

#[test]
fn a_claim_someone_else_created_is_not_an_orphan() {
    let mut objects = scaled_down(4, 1);
    // data-web-3 was made with kubectl (restored from a snapshot ahead of a scale-up, say), named
    // and labelled like web's; the PV controller (kube-controller-manager) bound it afterwards.
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-3",
        managed(&[
            (
                "kubectl-create",
                json!({ "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
                        "f:spec": { "f:accessModes": {}, "f:dataSource": {}, "f:resources": {} } }),
            ),
            ("kube-controller-manager", json!({ "f:spec": { "f:volumeName": {} } })),
        ]),
    );
    // data-web-2 is the controller's, resized and labelled with kubectl since: still web's orphan.
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        managed(&[
            ("kube-controller-manager", json!({ "f:spec": { "f:accessModes": {}, "f:volumeName": {} } })),
            ("kubectl-patch", json!({ "f:spec": { "f:resources": { "f:requests": { "f:storage": {} } } } })),
            ("kubectl-label", json!({ "f:metadata": { "f:labels": { "f:tier": {} } } })),
        ]),
    );
    // data-web-1 has no managedFields (stripped, or an old server): nothing is known, as before.
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", json!({ "metadata": { "managedFields": null } }));
    let p = plan_of(objects);
    assert_eq!(names(&p), ["data-web-1", "data-web-2"]);
    let s = skip_of(&p, "data-web-3");
    assert_eq!(s.kind, "not-controller-made");
    assert!(
        s.reason.starts_with("created by kubectl-create, not by the StatefulSet controller (kube-controller-manager"),
        "{}",
        s.reason
    );
}
