//! A pod of another owner holding an ordinal's name: the controller's create fails there, so the
//! rollout is blocked (the rule `ordinals` and `doctor` report as `ordinal-foreign`).

use serde_json::{Value, json};

use super::tests::{failing, next, row, run};
use super::*;
use crate::testing::{ago, healthy, now, patch, pod, snapshot, sts, with};

/// A standalone pod called `name`, labelled app=other, owned by nothing, created `secs` ago.
fn standalone(name: &str, secs: i64) -> Value {
    json!({ "apiVersion": "v1", "kind": "Pod",
            "metadata": { "name": name, "namespace": "shop", "uid": format!("uid-other-{name}"),
                          "resourceVersion": "300", "creationTimestamp": ago(secs), "labels": { "app": "other" } },
            "status": { "phase": "Running" } })
}

/// `web` scaled from 3 to 5 (generation 2), web-3's name held by `holder`.
fn scaled_up(observed: i64, holder: Value) -> (Value, Vec<Value>) {
    let set = with(
        sts("web", 5),
        json!({ "metadata": { "generation": 2 }, "status": { "observedGeneration": observed, "replicas": 3 } }),
    );
    let mut pods: Vec<Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
    pods.push(holder);
    (set, pods)
}

#[test]
fn a_foreign_pod_holding_a_name_the_controller_creates_blocks_the_rollout_at_once() {
    // Observed (a controller that writes its status after a failed sync, 1.25+) or not (1.20 to
    // 1.24 leave it unwritten): the same verdict.
    for observed in [2, 1] {
        let (set, pods) = scaled_up(observed, standalone("web-3", 10));
        let s = run(set, pods);
        assert_eq!(s.phase, Phase::Stuck, "observed {observed}: {}", s.reason);
        assert!(s.phase.is_blocked());
        assert_eq!(s.blocking_pod.as_deref(), Some("web-3"));
        assert_eq!(
            s.reason,
            "web-3 is held by a pod this StatefulSet does not control (its labels do not match the selector \
             app=web): the controller cannot create its own web-3 (the create fails: AlreadyExists) and goes no \
             further while that pod exists; delete it (`kubectl delete pod web-3 -n shop`), or if it is needed, \
             recreate it under another name"
        );
        assert_eq!(next(&s), ("create", vec!["web-3"]));
        let frozen = "generation 2 is not observed: a controller before 1.25 writes no status after a sync that \
                      fails, as it does at the create of web-3";
        assert_eq!(s.notes.iter().any(|n| n == frozen), observed == 1, "{:?}", s.notes);
        let held = row(&s, "web-3");
        assert_eq!((held.state.as_str(), held.exists, held.uid.as_deref()), ("Foreign", false, None));
        assert_eq!(held.note.as_deref(), Some("stuck: held by a pod of another owner: delete or rename it"));
        // OrderedReady never gets to web-4.
        assert_eq!((row(&s, "web-4").state.as_str(), row(&s, "web-4").note.as_deref()), ("Missing", None));
    }
}

#[test]
fn with_parallel_the_failing_create_ends_the_sync_too() {
    let set = with(sts("web", 3), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    let s = run(set, vec![pod("web", 0, "n1"), standalone("web-1", 10)]);
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-1"));
    assert_eq!(next(&s), ("create", vec!["web-1", "web-2"]));
    assert_eq!(row(&s, "web-2").note.as_deref(), Some("next: created"));
}

#[test]
fn a_held_name_behind_a_pod_the_controller_waits_for_is_noted_not_blamed() {
    let (set, mut pods) = scaled_up(2, standalone("web-3", 10));
    pods[1] = failing(pods[1].clone(), "CrashLoopBackOff", 60);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-1"));
    assert_eq!(
        row(&s, "web-3").note.as_deref(),
        Some("held by a pod of another owner (its labels do not match the selector app=web)")
    );
}

#[test]
fn a_foreign_pod_on_its_way_out_is_waited_for_until_stuck_after() {
    // Being deleted (its grace period ends in 20s): the controller creates its own web-3 after it.
    let deleting = |deadline_secs_ago: i64| {
        with(standalone("web-3", 600), json!({ "metadata": { "deletionTimestamp": ago(deadline_secs_ago) } }))
    };
    let (set, pods) = scaled_up(2, deleting(-20));
    let s = run(set.clone(), pods);
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert!(s.reason.starts_with("waiting for web-3, a pod this StatefulSet does not control"), "{}", s.reason);
    assert_eq!(row(&s, "web-3").note.as_deref(), Some("held by a pod of another owner, being deleted"));
    // Still there 10 minutes past its grace period.
    let (_, pods) = scaled_up(2, deleting(600));
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert!(s.reason.contains("has been terminating for 10m past its grace period"), "{}", s.reason);
    assert!(s.reason.contains("`kubectl sts-doctor -n shop force-delete web-3`"), "{}", s.reason);

    // Left by an earlier StatefulSet of the same name: the garbage collector deletes it.
    let earlier = |secs: i64| {
        with(
            standalone("web-3", secs),
            json!({ "metadata": { "labels": { "app": "web" }, "ownerReferences": [{ "apiVersion": "apps/v1",
                    "kind": "StatefulSet", "name": "web", "uid": "uid-earlier-web", "controller": true }] } }),
        )
    };
    let (set, pods) = scaled_up(2, earlier(30));
    let s = run(set.clone(), pods);
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert!(s.reason.starts_with("waiting for the garbage collector to delete web-3"), "{}", s.reason);
    let (_, pods) = scaled_up(2, earlier(3600));
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert!(s.reason.contains("the garbage collector has not deleted it for 60m"), "{}", s.reason);
}

#[test]
fn a_foreign_pod_outside_the_range_or_known_by_metadata_only_is_judged_by_its_name() {
    // Outside [0, 3): not the controller's business.
    let s = run(
        sts("web", 3),
        vec![pod("web", 0, "n1"), pod("web", 1, "n1"), pod("web", 2, "n1"), standalone("web-3", 10)],
    );
    assert_eq!(s.phase, Phase::Done, "{}", s.reason);
    assert_eq!(s.ordinals.len(), 3);
    // As `Cluster::name_holders` reads it: metadata only.
    let (set, mut pods) = scaled_up(2, json!({}));
    pods.pop();
    let mut pods: Vec<Pod> = pods.into_iter().map(|p| Pod::from(&serde_json::from_value(p).unwrap())).collect();
    let meta = serde_json::from_value(standalone("web-3", 10)["metadata"].clone()).unwrap();
    pods.push(Pod::from_metadata(&meta));
    let set = StatefulSet::from(&serde_json::from_value(set).unwrap());
    let s = status(&set, &pods, &Ok(vec![]), now(), super::tests::STUCK_AFTER);
    assert_eq!((s.phase, s.blocking_pod.as_deref()), (Phase::Stuck, Some("web-3")), "{}", s.reason);
}

#[test]
fn doctor_reports_the_held_name_once_as_ordinal_foreign() {
    let mut objects = healthy("web", 3);
    // A rollout under way (so rollout findings apply), scaled up into a name that is taken.
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "metadata": { "generation": 2 }, "spec": { "replicas": 5 },
                "status": { "observedGeneration": 2, "updateRevision": "web-r2" } }),
    );
    objects.push(standalone("web-3", 10));
    let snap = snapshot(objects);
    let findings = crate::doctor::findings(&snap, &snap.statefulsets[0]);
    let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"ordinal-foreign"), "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("rollout-")), "{codes:?}");
}
