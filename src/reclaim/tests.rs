use serde_json::{Value, json};

use super::*;
use crate::error::Exit;
use crate::testing::*;

/// `web` scaled from `from` to `to`: the controller has finished (status settled, pods gone).
fn scaled_down(from: i32, to: i32) -> Vec<Value> {
    let mut objects = healthy("web", from);
    settle(&mut objects, "web", to);
    for i in to..from {
        remove(&mut objects, "Pod", &format!("web-{i}"));
    }
    objects
}

fn settle(objects: &mut [Value], sts: &str, replicas: i32) {
    patch(
        objects,
        "StatefulSet",
        sts,
        json!({ "spec": { "replicas": replicas }, "status": { "replicas": replicas, "readyReplicas": replicas,
                "currentReplicas": replicas, "updatedReplicas": replicas } }),
    );
}

fn plan_with(objects: Vec<Value>, options: PlanOptions) -> ReclaimPlan {
    let snap = snapshot(objects);
    let sts = snap.statefulsets.iter().find(|s| s.name == "web").unwrap().clone();
    plan(&snap, &sts, &options)
}

fn plan_of(objects: Vec<Value>) -> ReclaimPlan {
    plan_with(objects, PlanOptions::default())
}

fn names(plan: &ReclaimPlan) -> Vec<&str> {
    plan.candidates.iter().map(|c| c.claim.as_str()).collect()
}

fn skip_of<'a>(plan: &'a ReclaimPlan, claim: &str) -> &'a Skip {
    plan.skipped.iter().find(|s| s.claim == claim).unwrap_or_else(|| panic!("{claim} not skipped: {plan:#?}"))
}

fn owner(kind: &str, name: &str, uid: &str) -> Value {
    json!({ "apiVersion": if kind == "Pod" { "v1" } else { "apps/v1" }, "kind": kind, "name": name, "uid": uid,
            "controller": true })
}

#[test]
fn scale_down_leaves_two_verified_orphans() {
    let p = plan_of(scaled_down(3, 1));
    assert_eq!(p.refusal, None);
    assert_eq!(names(&p), ["data-web-1", "data-web-2"]);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    let c = &p.candidates[0];
    assert_eq!((c.uid.as_str(), c.resource_version.as_str()), ("uid-data-web-1", "300"));
    assert_eq!((c.statefulset.as_deref(), c.template.as_deref(), c.ordinal), (Some("web"), Some("data"), 1));
    assert_eq!(c.size.as_deref(), Some("1Gi"));
    assert_eq!(c.volume.as_deref(), Some("pv-data-web-1"));
    assert_eq!((c.reclaim_policy.as_deref(), c.data_fate), (Some("Delete"), DataFate::Destroyed));
    assert_eq!(c.reclaim, "Delete: PV pv-data-web-1 and the data on it are destroyed");
    assert_eq!(c.age.as_deref(), Some("120m"));
    assert_eq!(c.last_pod.as_deref(), Some("web-1"));
    assert!(c.last_pod_basis.starts_with("the pod of the claim's ordinal"));
    assert_eq!(c.confidence, Confidence::High);
    assert_eq!(c.evidence, "ordinal 1 is outside [0, 1); carries web's selector labels app=web");
    let target = p.statefulset.as_ref().unwrap();
    assert_eq!((target.ordinals_start, target.ordinals_end, target.status_replicas), (0, 1, 1));
}

#[test]
fn nothing_to_reclaim_on_a_settled_statefulset() {
    let p = plan_of(healthy("web", 3));
    assert!(p.candidates.is_empty() && p.skipped.is_empty() && p.refusal.is_none(), "{p:#?}");
}

#[test]
fn a_claim_any_pod_references_is_skipped() {
    let mut objects = scaled_down(3, 1);
    let backup = with(
        pod("backup", 0, "n1"),
        json!({ "metadata": { "name": "backup", "ownerReferences": null, "labels": { "role": "backup" } },
                "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": "data-web-2" } }] } }),
    );
    objects.push(backup);
    let p = plan_of(objects.clone());
    assert_eq!(names(&p), ["data-web-1"]);
    let s = skip_of(&p, "data-web-2");
    assert_eq!(s.kind, "in-use");
    assert_eq!(s.reason, "used by pod backup (Running): never deleted while a pod uses it");

    // A finished pod (a Job's) still counts: the Job may run again.
    patch(&mut objects, "Pod", "backup", json!({ "status": { "phase": "Succeeded" } }));
    let p = plan_of(objects);
    let s = skip_of(&p, "data-web-2");
    assert_eq!(s.kind, "in-use");
    assert!(s.reason.starts_with("referenced by finished pod backup (Succeeded)"), "{}", s.reason);
}

#[test]
fn foreign_claims_are_never_candidates() {
    let mut objects = scaled_down(3, 1);
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", json!({ "metadata": { "labels": { "app": "other" } } }));
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        json!({ "metadata": { "ownerReferences": [owner("StatefulSet", "web", "uid-old-web")] } }),
    );
    let p = plan_of(objects);
    assert!(p.candidates.is_empty());
    let s = skip_of(&p, "data-web-1");
    assert_eq!(s.kind, "foreign");
    assert_eq!(
        s.reason,
        "named like web's claim but its labels (app=other) lack the selector's app=web: made by something else"
    );
    let s = skip_of(&p, "data-web-2");
    assert_eq!(s.kind, "foreign");
    assert!(s.reason.contains("owned by another StatefulSet web (a different UID"), "{}", s.reason);
}

#[test]
fn retention_policy_owned_claims_are_left_to_the_garbage_collector() {
    // 1.27+ fields: whenScaled=Delete owns a condemned claim by its pod, whenDeleted=Delete by the set.
    let mut objects = scaled_down(4, 1);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "persistentVolumeClaimRetentionPolicy": { "whenDeleted": "Delete", "whenScaled": "Delete" } } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-1",
        json!({ "metadata": { "labels": null, "ownerReferences": [owner("Pod", "web-1", "uid-web-1")] } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        json!({ "metadata": { "ownerReferences": [owner("StatefulSet", "web", "uid-web")] } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-3",
        json!({ "metadata": { "ownerReferences": [owner("PostgresCluster", "main", "uid-pg")] } }),
    );
    let p = plan_of(objects);
    assert!(p.candidates.is_empty(), "{:?}", p.candidates);
    let s = skip_of(&p, "data-web-1");
    assert_eq!(s.kind, "garbage-collected");
    assert!(s.reason.starts_with("owned by pod web-1 (persistentVolumeClaimRetentionPolicy whenScaled=Delete)"));
    let s = skip_of(&p, "data-web-2");
    assert_eq!(s.kind, "garbage-collected");
    assert!(s.reason.contains("whenDeleted=Delete"), "{}", s.reason);
    let s = skip_of(&p, "data-web-3");
    assert_eq!((s.kind, s.reason.as_str()), ("owned", "owned by PostgresCluster main: left to its owner"));
    assert!(p.statefulset.unwrap().retention_field_present);
}

#[test]
fn a_terminating_claim_is_skipped() {
    let mut objects = scaled_down(3, 1);
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        json!({ "metadata": { "deletionTimestamp": ago(30), "finalizers": ["kubernetes.io/pvc-protection"] } }),
    );
    let p = plan_of(objects);
    assert_eq!(names(&p), ["data-web-1"]);
    let s = skip_of(&p, "data-web-2");
    assert_eq!(s.kind, "terminating");
    assert!(s.reason.starts_with("already being deleted (30s ago)"), "{}", s.reason);
}

#[test]
fn mid_scale_refuses_and_says_what_is_in_flight() {
    // status.replicas not caught up, and web-2 still Terminating.
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 }, "status": { "replicas": 2 } }));
    remove(&mut objects, "Pod", "web-1");
    patch(&mut objects, "Pod", "web-2", json!({ "metadata": { "deletionTimestamp": ago(5) } }));
    let p = plan_of(objects);
    assert_eq!(
        p.refusal.as_deref(),
        Some(
            "StatefulSet web is mid-scale: status.replicas is 2 but spec.replicas is 1; pods outside [0, 1) still \
             exist: web-2 (Terminating); re-run once the scale-down has finished"
        )
    );
    assert!(p.candidates.is_empty());
    // web-2 still mounts its claim: that reason is more specific than the refusal.
    assert_eq!(skip_of(&p, "data-web-2").kind, "in-use");
    let s = skip_of(&p, "data-web-1");
    assert_eq!((s.kind, s.reason.as_str()), ("refused", "not reclaimed while web is mid-scale (see the refusal)"));
}

#[test]
fn an_unobserved_spec_is_mid_scale() {
    let mut objects = scaled_down(3, 1);
    patch(&mut objects, "StatefulSet", "web", json!({ "metadata": { "generation": 2 } }));
    let p = plan_of(objects);
    assert!(
        p.refusal
            .as_deref()
            .unwrap()
            .contains("the controller has not observed the latest spec yet (generation 2, observedGeneration 1)"),
        "{:?}",
        p.refusal
    );
    assert!(p.candidates.is_empty());
}

#[test]
fn a_pod_outside_the_range_is_mid_scale_even_when_counts_agree() {
    let mut objects = healthy("web", 3);
    settle(&mut objects, "web", 1);
    remove(&mut objects, "Pod", "web-1");
    let p = plan_of(objects);
    assert!(p.refusal.as_deref().unwrap().contains("pods outside [0, 1) still exist: web-2 (Running)"), "{p:#?}");
}

#[test]
fn ordinals_start_orphans_below_and_above_the_range() {
    // 1.26+ ordinals.start: [2, 4) in use; 0 and 1 below, 4 above.
    let mut objects = vec![sts("web", 2), node("n1")];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 2 } } }));
    for i in 0..5 {
        if (2..4).contains(&i) {
            objects.push(pod("web", i, "n1"));
        }
        let c = claim("data", "web", i);
        objects.push(volume(c["metadata"]["name"].as_str().unwrap()));
        objects.push(c);
    }
    let p = plan_of(objects);
    assert_eq!(p.refusal, None);
    assert_eq!(names(&p), ["data-web-0", "data-web-1", "data-web-4"]);
    assert_eq!(p.candidates[0].evidence, "ordinal 0 is outside [2, 4); carries web's selector labels app=web");
}

#[test]
fn statefulsets_whose_names_prefix_each_other_keep_their_claims() {
    // web (1 replica, was 2) and web-1 (1 replica): data-web-1-0 is web-1's.
    let mut objects = scaled_down(2, 1);
    let mut other = sts("web-1", 1);
    merge(&mut other, json!({ "spec": { "selector": { "matchLabels": { "app": "web-1" } } } }));
    objects.push(other);
    objects.push(pod("web-1", 0, "n1"));
    objects.push(claim("data", "web-1", 0));
    objects.push(claim("data", "web-1", 1)); // web-1's own orphan
    let p = plan_of(objects.clone());
    assert_eq!(names(&p), ["data-web-1"]);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);

    let snap = snapshot(objects);
    let web1 = snap.statefulsets.iter().find(|s| s.name == "web-1").unwrap();
    let p = plan(&snap, web1, &PlanOptions::default());
    assert_eq!(names(&p), ["data-web-1-1"]);
}

#[test]
fn a_name_another_statefulset_also_produces_is_ambiguous() {
    // pg-main's template data and main's template data-pg both name data-pg-main-<n>.
    let mut objects = vec![sts("pg-main", 1), pod("pg-main", 0, "n1"), claim("data", "pg-main", 0)];
    objects.push(claim("data", "pg-main", 1));
    let mut main = sts("main", 3);
    merge(
        &mut main,
        json!({ "spec": { "volumeClaimTemplates": [{ "metadata": { "name": "data-pg" }, "spec": {
                "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": "1Gi" } } } }] } }),
    );
    objects.push(main);
    // Labelled for pg-main (the controller of main would have labelled it app=main).
    let snap = snapshot(objects);
    let pg = snap.statefulsets.iter().find(|s| s.name == "pg-main").unwrap();
    let p = plan(&snap, pg, &PlanOptions::default());
    assert!(p.candidates.is_empty());
    let s = skip_of(&p, "data-pg-main-1");
    assert_eq!(s.kind, "ambiguous");
    assert_eq!(
        s.reason,
        "also the name of StatefulSet main's claim (template data-pg, its ordinal 1 uses it): ambiguous, left alone"
    );
}

#[test]
fn several_templates() {
    let mut objects = scaled_down(2, 1);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "volumeClaimTemplates": [
            { "metadata": { "name": "data" }, "spec": { "resources": { "requests": { "storage": "1Gi" } } } },
            { "metadata": { "name": "wal" }, "spec": { "resources": { "requests": { "storage": "1Gi" } } } }
        ] } }),
    );
    objects.push(claim("wal", "web", 0));
    objects.push(claim("wal", "web", 1));
    let p = plan_of(objects);
    assert_eq!(names(&p), ["data-web-1", "wal-web-1"]);
    assert_eq!(p.candidates[1].template.as_deref(), Some("wal"));
    assert_eq!(p.statefulset.unwrap().templates, ["data", "wal"]);
}

#[test]
fn name_only_claims_need_an_explicit_flag() {
    // A selector with matchExpressions only: the controller copies no labels onto claims.
    let mut objects = scaled_down(2, 1);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "selector": { "matchLabels": null,
                "matchExpressions": [{ "key": "app", "operator": "In", "values": ["web"] }] } } }),
    );
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", json!({ "metadata": { "labels": null } }));
    let p = plan_of(objects.clone());
    assert!(p.candidates.is_empty());
    let s = skip_of(&p, "data-web-1");
    assert_eq!(s.kind, "name-only");
    assert!(s.reason.contains("pass --include-name-only"), "{}", s.reason);

    let p = plan_with(objects, PlanOptions { include_name_only: true, ..PlanOptions::default() });
    assert_eq!(names(&p), ["data-web-1"]);
    assert_eq!(p.candidates[0].confidence, Confidence::Low);
    assert!(p.candidates[0].evidence.contains("matched by name only"));
}

#[test]
fn what_happens_to_the_data() {
    let mut objects = scaled_down(6, 1);
    // 1: Retain. 2: Released PV of an earlier claim (another UID). 3: Pending, no PV. 4: Lost, PV gone.
    // 5: PV Failed (an earlier reclaim failed) but still bound here.
    patch(
        &mut objects,
        "PersistentVolume",
        "pv-data-web-1",
        json!({ "spec": { "persistentVolumeReclaimPolicy": "Retain" } }),
    );
    patch(
        &mut objects,
        "PersistentVolume",
        "pv-data-web-2",
        json!({ "spec": { "claimRef": { "uid": "uid-earlier" } }, "status": { "phase": "Released" } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-3",
        json!({ "spec": { "volumeName": null }, "status": { "phase": "Pending", "capacity": null } }),
    );
    remove(&mut objects, "PersistentVolume", "pv-data-web-4");
    patch(&mut objects, "PersistentVolumeClaim", "data-web-4", json!({ "status": { "phase": "Lost" } }));
    patch(&mut objects, "PersistentVolume", "pv-data-web-5", json!({ "status": { "phase": "Failed" } }));
    let p = plan_of(objects.clone());
    let fates: Vec<DataFate> = p.candidates.iter().map(|c| c.data_fate).collect();
    use DataFate::*;
    assert_eq!(fates, [Kept, Unaffected, NoVolume, NoVolume, Destroyed]);
    assert_eq!(p.candidates[0].reclaim, "Retain: PV pv-data-web-1 is kept, Released, with the data");
    assert_eq!(
        p.candidates[1].reclaim,
        "PV pv-data-web-2 (Released) belongs to an earlier claim of the same name (another UID), not this claim: not \
         affected"
    );
    assert_eq!(p.candidates[2].size.as_deref(), Some("1Gi"), "falls back to the request");
    assert_eq!(p.candidates[3].reclaim, "PV pv-data-web-4 no longer exists: no data left to lose");
    assert!(p.candidates[4].reclaim.ends_with("(the PV is in phase Failed: an earlier reclaim failed)"));

    let p = plan_with(objects, PlanOptions { keep_volume: true, ..PlanOptions::default() });
    assert_eq!(p.candidates[4].data_fate, Kept);
    assert_eq!(p.candidates[4].reclaim_policy.as_deref(), Some("Delete"), "the policy as it is now");
    assert!(p.candidates[4].reclaim.starts_with("Delete, switched to Retain first (--keep-volume)"));
}

#[test]
fn unreadable_volumes_still_plan_but_refuse_keep_volume() {
    let mut snap = snapshot(scaled_down(3, 1));
    snap.volumes = Err("forbidden: cannot get persistentvolumes".into());
    let sts = snap.statefulsets[0].clone();
    let p = plan(&snap, &sts, &PlanOptions::default());
    assert_eq!(p.refusal, None);
    assert_eq!(names(&p), ["data-web-1", "data-web-2"]);
    assert_eq!(p.candidates[0].data_fate, DataFate::Unknown);
    assert_eq!(p.candidates[0].reclaim_policy, None);
    assert!(p.notes[0].starts_with("PersistentVolumes cannot be read, so reclaim policies are unknown"));

    let p = plan(&snap, &sts, &PlanOptions { keep_volume: true, ..PlanOptions::default() });
    assert!(p.refusal.as_deref().unwrap().starts_with("--keep-volume needs to read and patch PersistentVolumes"));
    assert!(p.candidates.is_empty());
    assert_eq!(skip_of(&p, "data-web-1").kind, "refused");
}

#[test]
fn partial_results_exit_4() {
    let result = |claim: &str, outcome| ClaimResult {
        namespace: "shop".into(),
        claim: claim.into(),
        outcome,
        retained_volume: None,
        message: String::new(),
        volume_switched: false,
    };
    let ok = [result("a", ClaimOutcome::Deleted), result("b", ClaimOutcome::AlreadyGone)];
    assert_eq!(exit_for(&ok, false).unwrap(), Exit::Ok);
    let mixed = [result("a", ClaimOutcome::Deleted), result("b", ClaimOutcome::Conflict)];
    let err = exit_for(&mixed, false).unwrap_err();
    assert_eq!(crate::error::exit_code_for(&err), Exit::Partial);
    assert!(err.to_string().starts_with("1 of 2 claims not reclaimed: b"), "{err}");
}

#[path = "deleted_tests.rs"]
mod deleted;

#[test]
fn revalidation_keeps_only_unchanged_candidates() {
    let planned = plan_of(scaled_down(4, 1)).candidates;
    assert_eq!(planned.len(), 3);

    // Meanwhile: scaled back up to 2 (data-web-1 in range again), a backup pod mounts data-web-2,
    // and data-web-3 was modified (new resourceVersion).
    let mut objects = scaled_down(4, 1);
    settle(&mut objects, "web", 2);
    objects.push(pod("web", 1, "n1"));
    let mut backup = pod("web", 0, "n2");
    merge(
        &mut backup,
        json!({ "metadata": { "name": "backup", "uid": "uid-backup", "ownerReferences": null, "labels": { "role": "backup" } },
        "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": "data-web-2" } }] } }),
    );
    objects.push(backup);
    patch(&mut objects, "PersistentVolumeClaim", "data-web-3", json!({ "metadata": { "resourceVersion": "999" } }));
    let fresh = plan_of(objects);

    let (go, changed) = revalidate(&planned, &fresh);
    assert!(go.is_empty(), "{go:?}");
    let outcomes: Vec<(&str, ClaimOutcome)> = changed.iter().map(|r| (r.claim.as_str(), r.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            ("data-web-1", ClaimOutcome::Conflict),
            ("data-web-2", ClaimOutcome::InUse),
            ("data-web-3", ClaimOutcome::Conflict)
        ]
    );
    assert!(changed[0].message.contains("no longer an orphan"), "{}", changed[0].message);
    assert_eq!(changed[2].message, "since the plan: the claim changed: not deleted");

    // Nothing changed: everything goes.
    let (go, changed) = revalidate(&planned, &plan_of(scaled_down(4, 1)));
    assert_eq!((go.len(), changed.len()), (3, 0));
}

#[path = "hardening_tests.rs"]
mod hardening;

#[path = "in_flight_tests.rs"]
mod in_flight;

#[path = "autoscaled_tests.rs"]
mod autoscaled;
