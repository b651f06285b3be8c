//! One fixture per controller rule. `web` rolls from web-r1 (revision 1) to web-r2 (revision 2)
//! unless a test says otherwise; pods are Running and Ready on web-r1 unless changed.

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::*;
use crate::testing::{ago, now, pod, sts, with};

pub(crate) const STUCK_AFTER: SignedDuration = SignedDuration::from_secs(300);

pub(crate) fn revision(name: &str, number: i64, created_secs_ago: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": { "name": name, "namespace": "shop", "uid": format!("uid-{name}"),
                      "creationTimestamp": ago(created_secs_ago), "labels": { "app": "web" },
                      "ownerReferences": [{ "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                            "uid": "uid-web", "controller": true }] },
        "revision": number, "data": {}
    })
}

/// `web` with `replicas` pods rolling from web-r1 to web-r2 at `partition`, pods all on web-r1.
pub(crate) fn rolling(replicas: i32, partition: i32) -> (Value, Vec<Value>) {
    let set = with(
        sts("web", replicas),
        json!({ "metadata": { "generation": 2 },
                "spec": { "updateStrategy": { "rollingUpdate": { "partition": partition } } },
                "status": { "observedGeneration": 2, "updateRevision": "web-r2", "updatedReplicas": 0 } }),
    );
    (set, (0..replicas).map(|i| pod("web", i, "n1")).collect())
}

pub(crate) fn on(p: Value, rev: &str) -> Value {
    with(p, json!({ "metadata": { "labels": { "controller-revision-hash": rev } } }))
}

/// Running, not Ready since `secs` ago, its container waiting with `reason`.
pub(crate) fn failing(p: Value, reason: &str, secs: i64) -> Value {
    with(
        p,
        json!({ "status": {
            "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(secs) }],
            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 6, "image": "app:2", "imageID": "",
                                    "state": { "waiting": { "reason": reason } } }] } }),
    )
}

pub(crate) fn ready_since(p: Value, secs: i64) -> Value {
    with(
        p,
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(secs) }] } }),
    )
}

pub(crate) fn run_with(set: Value, pods: Vec<Value>, revisions: Part<Vec<Value>>) -> RolloutStatus {
    let set = StatefulSet::from(&serde_json::from_value(set).unwrap());
    let pods: Vec<Pod> = pods.into_iter().map(|p| Pod::from(&serde_json::from_value(p).unwrap())).collect();
    let revisions = revisions
        .map(|list| list.into_iter().map(|r| ControllerRevision::from(&serde_json::from_value(r).unwrap())).collect());
    status(&set, &pods, &revisions, now(), STUCK_AFTER)
}

pub(crate) fn run(set: Value, pods: Vec<Value>) -> RolloutStatus {
    run_with(set, pods, Ok(vec![revision("web-r1", 1, 86400), revision("web-r2", 2, 600)]))
}

pub(crate) fn row<'a>(s: &'a RolloutStatus, pod: &str) -> &'a Row {
    s.ordinals.iter().find(|r| r.pod == pod).unwrap_or_else(|| panic!("no row {pod}"))
}

pub(crate) fn next(s: &RolloutStatus) -> (&str, Vec<&str>) {
    (s.controller_next.action.as_str(), s.controller_next.pods.iter().map(String::as_str).collect())
}

#[test]
fn a_settled_statefulset_is_done() {
    let s = run(sts("web", 3), (0..3).map(|i| pod("web", i, "n1")).collect());
    assert_eq!(s.phase, Phase::Done, "{}", s.reason);
    assert_eq!(s.reason, "all 3 pods are on revision web-r1 and Ready");
    assert_eq!(s.progress, Progress { updated: 3, total: 3 });
    assert!(s.ordinals.iter().all(|r| r.settled && r.note.is_none()), "{:?}", s.ordinals);
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    assert_eq!(s.statefulset.current_revision, Some(RevisionRef { name: "web-r1".into(), number: Some(1) }));
}

#[test]
fn partition_2_of_3_updates_only_ordinal_2_and_reports_partition_complete() {
    let (set, mut pods) = rolling(3, 2);
    pods[2] = on(pods[2].clone(), "web-r2");
    let s = run(set.clone(), pods);
    assert_eq!(s.phase, Phase::PartitionComplete, "{}", s.reason);
    assert_eq!(
        s.reason,
        "1 of 3 pods updated to web-r2 and Ready; web-0, web-1 stay on current revision web-r1 until the partition \
         is lowered"
    );
    assert_eq!(s.progress, Progress { updated: 1, total: 1 });
    let wants: Vec<Wants> = s.ordinals.iter().map(|r| r.wants).collect();
    assert_eq!(wants, [Wants::Current, Wants::Current, Wants::Update]);
    assert_eq!(row(&s, "web-2").revision.as_deref(), Some("update"));
    assert_eq!(row(&s, "web-2").revision_number, Some(2));
    assert_eq!(row(&s, "web-0").note.as_deref(), Some("below the partition: stays on the current revision"));
    assert_eq!(s.statefulset.first_updated_ordinal, Some(2));

    // Before the controller got to it: web-2 is next, web-0 and web-1 are left alone.
    let (set, pods) = rolling(3, 2);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]));
    assert_eq!(s.reason, "the controller deletes web-2 to recreate it from update revision web-r2");
    assert_eq!(row(&s, "web-2").note.as_deref(), Some("next: deleted and recreated from the update revision"));
}

#[test]
fn partition_zero_is_done_only_when_the_controller_records_the_update_revision_as_current() {
    let (set, pods) = rolling(3, 0);
    let pods: Vec<Value> = pods.into_iter().map(|p| on(p, "web-r2")).collect();
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing);
    assert!(s.reason.contains("waiting for the controller to record it as the current revision"), "{}", s.reason);
    let s = run(with(set, json!({ "status": { "currentRevision": "web-r2" } })), pods);
    assert_eq!(s.phase, Phase::Done, "{}", s.reason);
    assert_eq!(s.progress, Progress { updated: 3, total: 3 });
}

#[test]
fn updates_go_from_the_highest_ordinal_down_one_at_a_time() {
    let (set, mut pods) = rolling(3, 0);
    pods[2] = on(pods[2].clone(), "web-r2");
    let s = run(set.clone(), pods.clone());
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-1"]));
    assert_eq!(row(&s, "web-0").note.as_deref(), Some("to be updated"));
    // The recreated web-1 not Ready yet: OrderedReady waits for it before anything else.
    pods[1] = failing(on(pods[1].clone(), "web-r2"), "ContainerCreating", 10);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(next(&s), ("waitReady", vec!["web-1"]));
    assert_eq!(s.blocking_pod.as_deref(), Some("web-1"));
    assert_eq!(s.reason, "waiting for web-1 to be Running and Ready (it is Running, not Ready, ContainerCreating)");
}

#[test]
fn a_partition_above_replicas_updates_nothing() {
    let (set, pods) = rolling(3, 5);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::PartitionComplete, "{}", s.reason);
    assert!(s.reason.starts_with("partition 5 is at or above replicas 3: no pod is updated"), "{}", s.reason);
    assert_eq!(s.progress, Progress { updated: 0, total: 0 });
    // Not 3: a scale-up to 4 creates ordinal 3 on the current revision (index 3 < partition 5).
    assert_eq!(s.statefulset.first_updated_ordinal, Some(5));
    let note = s.notes.iter().find(|n| n.contains("partition 5 is above replicas 3")).expect("note");
    assert!(note.contains("current revision up to ordinal 4 and updated pods only from ordinal 5"), "{note}");
}

#[test]
fn a_partition_above_replicas_keeps_its_boundary_with_ordinals_start() {
    // Ordinals 10, 11, 12 (start 10); partition 5: the first updated ordinal is 15 (index 5), not 13.
    let (set, _) = rolling(3, 5);
    let set = with(set, json!({ "spec": { "ordinals": { "start": 10 } } }));
    let pods: Vec<Value> = (10..13).map(|o| pod("web", o, "n1")).collect();
    let s = run(set, pods);
    assert_eq!(s.statefulset.first_updated_ordinal, Some(15));
    assert_eq!(s.progress, Progress { updated: 0, total: 0 });
    assert!(s.notes.iter().any(|n| n.contains("updates ordinals 15 and up, not 5 and up")), "{:?}", s.notes);
}

#[test]
fn the_partition_counts_by_index_from_ordinals_start() {
    // Ordinals 5, 6, 7 (start 5); partition 2 updates index 2 = ordinal 7 only (kubernetes#128529).
    let (set, _) = rolling(3, 2);
    let set = with(set, json!({ "spec": { "ordinals": { "start": 5 } } }));
    let pods: Vec<Value> = (5..8).map(|o| pod("web", o, "n1")).collect();
    let s = run(set.clone(), pods.clone());
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-7"]));
    let indexes: Vec<(i32, i32, Wants)> = s.ordinals.iter().map(|r| (r.ordinal, r.index, r.wants)).collect();
    assert_eq!(indexes, [(5, 0, Wants::Current), (6, 1, Wants::Current), (7, 2, Wants::Update)]);
    assert_eq!(s.statefulset.first_updated_ordinal, Some(7));
    assert!(s.notes.iter().any(|n| n.contains("updates ordinals 7 and up, not 2 and up")), "{:?}", s.notes);

    let mut pods = pods;
    pods[2] = on(pods[2].clone(), "web-r2");
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::PartitionComplete, "{}", s.reason);
    assert!(s.reason.contains("web-5, web-6 stay on current revision"), "{}", s.reason);
}

#[test]
fn on_delete_lists_the_pods_still_to_delete_highest_first() {
    let (set, pods) = rolling(3, 0);
    let set = with(set, json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } } }));
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::WaitingForOnDelete, "{}", s.reason);
    assert_eq!(s.pods_to_delete, ["web-2", "web-1", "web-0"]);
    assert_eq!(s.statefulset.partition, None);
    assert_eq!(row(&s, "web-1").note.as_deref(), Some("delete it to update it (OnDelete)"));

    let mut pods = pods;
    pods[2] = on(pods[2].clone(), "web-r2");
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.pods_to_delete, ["web-1", "web-0"]);
    assert_eq!(s.progress, Progress { updated: 1, total: 3 });

    // All updated: done, although OnDelete never records the update revision as current.
    let pods: Vec<Value> = pods.into_iter().map(|p| on(p, "web-r2")).collect();
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Done, "{}", s.reason);
}

#[test]
fn pods_outside_the_range_are_removed_before_the_rollout_is_done() {
    let mut pods: Vec<Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
    let s = run(sts("web", 2), pods.clone());
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(next(&s), ("scaleDown", vec!["web-2"]));
    assert!(!row(&s, "web-2").in_range);
    assert_eq!(row(&s, "web-2").wants, Wants::Removal);
    // A pod this StatefulSet does not control is not its business.
    pods[2] = with(
        pods[2].clone(),
        json!({ "metadata": { "ownerReferences": [{ "apiVersion": "apps/v1",
        "kind": "StatefulSet", "name": "other", "uid": "uid-other", "controller": true }] } }),
    );
    assert_eq!(run(sts("web", 2), pods).phase, Phase::Done);
}

#[test]
fn terminating_pods_are_waited_for_and_stuck_past_their_grace_period() {
    let (set, mut pods) = rolling(3, 0);
    let terminating = |p: Value, deadline_secs_ago: i64| {
        with(
            p,
            json!({ "metadata": { "deletionTimestamp": ago(deadline_secs_ago), "deletionGracePeriodSeconds": 30 } }),
        )
    };
    pods[2] = terminating(pods[2].clone(), -20);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(next(&s), ("waitTerminating", vec!["web-2"]));
    pods[2] = terminating(pods[2].clone(), 600);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck);
    assert!(s.reason.contains("web-2 has been terminating for 10m past its grace period"), "{}", s.reason);
    assert!(s.reason.contains("kubectl sts-doctor -n shop force-delete web-2"), "{}", s.reason);
}

#[test]
fn an_unobserved_generation_is_progressing_whatever_the_pods_say() {
    let (set, pods) = rolling(3, 2);
    let set = with(set, json!({ "metadata": { "generation": 3 } }));
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(s.reason, "waiting for the controller to observe generation 3 (observed: 2)");
}

#[test]
fn an_updated_pod_failing_past_the_threshold_is_stuck() {
    let (set, mut pods) = rolling(3, 2);
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 60);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing, "under the threshold: {}", s.reason);
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 400);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Stuck);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert!(
        s.reason.starts_with(
            "web-2 on update revision web-r2 has not been Ready for 6m40s (Running, not Ready, CrashLoopBackOff): \
             the new revision looks broken"
        ),
        "{}",
        s.reason
    );
    assert_eq!(row(&s, "web-2").note.as_deref(), Some("stuck: not Ready for 6m40s"));

    // Image pull errors leave the pod Pending without a Ready condition: counted from creation.
    pods[2] = with(
        on(pod("web", 2, "n1"), "web-r2"),
        json!({ "metadata": { "creationTimestamp": ago(900) }, "status": { "phase": "Pending", "conditions": null,
                "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 0, "image": "app:2",
                    "imageID": "", "state": { "waiting": { "reason": "ImagePullBackOff" } } }] } }),
    );
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck);
    assert!(s.reason.contains("15m (Pending, ImagePullBackOff)"), "{}", s.reason);
}
