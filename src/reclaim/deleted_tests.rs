//! Unit tests of `plan_deleted` (claims of StatefulSets that no longer exist).

use super::*;

fn plan_deleted_of(objects: Vec<Value>, name: Option<&str>) -> ReclaimPlan {
    plan_deleted(&snapshot(objects), Some("shop"), name, &PlanOptions::default())
}

/// Claims (and PVs) of a StatefulSet `name` that was deleted, `n` ordinals.
fn leftovers(name: &str, n: i32) -> Vec<Value> {
    let mut objects = Vec::new();
    for i in 0..n {
        let c = claim("data", name, i);
        objects.push(volume(c["metadata"]["name"].as_str().unwrap()));
        objects.push(c);
    }
    objects
}

#[test]
fn a_family_of_a_deleted_statefulset_is_low_confidence() {
    let mut objects = healthy("web", 2);
    objects.extend(leftovers("old", 3));
    let p = plan_deleted_of(objects, None);
    assert_eq!(names(&p), ["data-old-0", "data-old-1", "data-old-2"]);
    let c = &p.candidates[0];
    assert_eq!(c.confidence, Confidence::Low);
    assert_eq!((c.statefulset.as_deref(), c.template.as_deref()), (Some("old"), Some("data")));
    assert_eq!(c.last_pod.as_deref(), Some("old-0"));
    assert_eq!(
        c.evidence,
        "family data-old-{0,1,2} sharing labels app=old, written only by kube-controller-manager; no StatefulSet old \
         in shop; inferred from names, labels and managed fields"
    );
    assert!(p.notes.iter().any(|n| n.starts_with("2 claim(s) named like claims of existing StatefulSets")));
    assert_eq!(p.mode, Mode::Deleted);
}

#[test]
fn claims_of_existing_statefulsets_in_or_out_of_range_are_never_included() {
    let mut objects = scaled_down(3, 1);
    objects.extend(leftovers("old", 1));
    let p = plan_deleted_of(objects, None);
    assert_eq!(names(&p), ["data-old-0"]);
}

#[test]
fn prefix_names_resolve_through_labels() {
    // web exists; web-1 was deleted: data-web-1-0 is web-1's (web's rule does not produce it).
    let mut objects = healthy("web", 2);
    objects.extend(leftovers("web-1", 2));
    let p = plan_deleted_of(objects, None);
    assert_eq!(names(&p), ["data-web-1-0", "data-web-1-1"]);
    assert_eq!(p.candidates[0].statefulset.as_deref(), Some("web-1"));

    let p = plan_deleted_of(leftovers("web-1", 2), Some("web-1"));
    assert_eq!(names(&p), ["data-web-1-0", "data-web-1-1"]);
    let p = plan_deleted_of(leftovers("web-1", 2), Some("1"));
    assert_eq!(names(&p).len(), 2, "data-web-1-* could also be template data-web of `1`");
    assert_eq!(p.candidates[0].template.as_deref(), Some("data-web"));
    let p = plan_deleted_of(leftovers("web-1", 2), Some("web"));
    assert!(p.candidates.is_empty() && p.skipped.is_empty());
}

#[test]
fn a_statefulset_named_like_the_stem_keeps_the_family() {
    // web exists with another template: data-web-* may be an earlier web's; not touched.
    let mut objects = healthy("web", 1);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "volumeClaimTemplates": [{ "metadata": { "name": "storage" }, "spec": {} }] } }),
    );
    remove(&mut objects, "Pod", "web-0");
    let p = plan_deleted_of(objects, None);
    assert!(p.candidates.is_empty());
    let s = skip_of(&p, "data-web-0");
    assert_eq!(s.kind, "statefulset-exists");
    assert!(s.reason.starts_with("StatefulSet web exists in shop but has no template data"), "{}", s.reason);
}

#[test]
fn evidence_that_fails() {
    let mut objects = leftovers("old", 3);
    objects.extend(leftovers("mixed", 2));
    objects.extend(leftovers("bare", 1));
    objects.extend(leftovers("owned", 1));
    patch(&mut objects, "PersistentVolumeClaim", "data-mixed-1", json!({ "metadata": { "labels": { "app": "x" } } }));
    patch(&mut objects, "PersistentVolumeClaim", "data-bare-0", json!({ "metadata": { "labels": null } }));
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-owned-0",
        json!({ "metadata": { "ownerReferences": [owner("StatefulSet", "owned", "uid-owned")] } }),
    );
    // A backup pod mounts one claim of the old family: the whole family is in use.
    objects.push(with(
        pod("backup", 0, "n1"),
        json!({ "metadata": { "name": "backup", "ownerReferences": null },
                "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": "data-old-1" } }] } }),
    ));
    let p = plan_deleted_of(objects, None);
    assert!(p.candidates.is_empty(), "{:?}", p.candidates);
    assert_eq!(skip_of(&p, "data-old-1").kind, "in-use");
    let s = skip_of(&p, "data-old-0");
    assert_eq!(s.kind, "family-in-use");
    assert_eq!(s.reason, "data-old-1 of the same family data-old-{0,1,2} is used by pod backup: the family is in use");
    assert_eq!(skip_of(&p, "data-mixed-0").kind, "no-shared-labels");
    assert_eq!(skip_of(&p, "data-bare-0").kind, "unlabelled");
    assert_eq!(skip_of(&p, "data-owned-0").kind, "garbage-collected");
}

#[test]
fn all_namespaces() {
    let mut objects = leftovers("old", 1);
    let mut elsewhere = claim("data", "old", 0);
    merge(&mut elsewhere, json!({ "metadata": { "namespace": "other", "uid": "uid-other" } }));
    objects.push(elsewhere);
    let p = plan_deleted(&snapshot(objects), None, None, &PlanOptions::default());
    let found: Vec<(&str, &str)> = p.candidates.iter().map(|c| (c.namespace.as_str(), c.claim.as_str())).collect();
    assert_eq!(found, [("other", "data-old-0"), ("shop", "data-old-0")]);
    assert_eq!(p.candidates[0].data_fate, DataFate::Unaffected, "PV pv-data-old-0 names shop's claim");
}

#[test]
fn keep_volume_refused_without_volumes() {
    let mut snap = snapshot(leftovers("old", 2));
    snap.volumes = Err("forbidden".into());
    let p = plan_deleted(&snap, Some("shop"), None, &PlanOptions { keep_volume: true, ..PlanOptions::default() });
    assert!(p.refusal.is_some());
    assert!(p.candidates.is_empty());
    assert_eq!(p.skipped.len(), 2);
}

#[test]
fn claims_made_or_changed_by_someone_else_are_not_a_deleted_statefulsets() {
    let mut objects = leftovers("old", 2);
    // data-old-0 was created with kubectl (a Deployment's claim that happens to be named so);
    // data-old-1 comes from a server that records no managed fields.
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-old-0",
        json!({ "metadata": { "managedFields": [
        { "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {} },
        { "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {} }
    ] } }),
    );
    patch(&mut objects, "PersistentVolumeClaim", "data-old-1", json!({ "metadata": { "managedFields": null } }));
    let p = plan_deleted_of(objects, None);
    assert!(names(&p).is_empty(), "{:?}", names(&p));
    assert_eq!(skip_of(&p, "data-old-0").kind, "not-controller-made");
    assert!(skip_of(&p, "data-old-0").reason.starts_with("also written by kubectl-create"));
    assert_eq!(skip_of(&p, "data-old-1").kind, "unknown-origin");
}
