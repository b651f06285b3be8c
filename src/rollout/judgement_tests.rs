//! When a rollout is stuck or trapped, and what the controller does with finished pods, blocked
//! scale-downs and pods recreated below the partition (fixtures as in `tests`).

use serde_json::{Value, json};

use super::tests::{STUCK_AFTER, failing, next, on, revision, rolling, row, run, run_with};
use super::*;
use crate::testing::{ago, now, pod, sts, with};

/// Running, not Ready since `secs` ago, no container waiting and no restart: a replica replaying its log.
fn slow(p: Value, secs: i64) -> Value {
    with(
        p,
        json!({ "status": {
            "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(secs) }],
            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 0, "image": "app:2", "imageID": "",
                                    "state": { "running": { "startedAt": ago(secs) } } }] } }),
    )
}

/// `web` whose template was reverted to web-r1 (renumbered 3) while web-2 runs web-r2.
fn reverted() -> (Value, Vec<Value>, Vec<Value>) {
    let (set, pods) = rolling(3, 0);
    let set = with(
        set,
        json!({ "metadata": { "generation": 3 }, "status": { "observedGeneration": 3, "updateRevision": "web-r1" } }),
    );
    (set, pods, vec![revision("web-r1", 3, 86400), revision("web-r2", 2, 700)])
}

fn judge(set: Value, pods: Vec<Value>, facts: &Facts) -> RolloutStatus {
    let set = StatefulSet::from(&serde_json::from_value(set).unwrap());
    let pods: Vec<Pod> = pods.into_iter().map(|p| Pod::from(&serde_json::from_value(p).unwrap())).collect();
    status_with(&set, &pods, &Ok(vec![]), facts, now(), STUCK_AFTER)
}

fn server(minor: u32) -> Facts {
    let version = crate::model::ServerVersion { git_version: format!("v1.{minor}.3"), major: 1, minor };
    Facts { server_version: Some(version), ..Facts::default() }
}

#[test]
fn a_slow_pod_on_an_abandoned_revision_is_stuck_not_trapped_without_evidence_it_is_broken() {
    let (set, mut pods, revisions) = reverted();
    pods[2] = slow(on(pods[2].clone(), "web-r2"), 600);
    let s = run_with(set.clone(), pods.clone(), Ok(revisions.clone()));
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert!(s.reason.contains("nothing shows it is broken"), "{}", s.reason);
    assert!(s.reason.contains("it may still get Ready by itself"), "{}", s.reason);
    // The revert is still explained.
    let explanation = s.explanation.clone().unwrap();
    assert!(explanation.contains("The template was reverted: the update revision is the older template web-r1 (revision 3) brought back, while web-2 still runs web-r2 (revision 2)."), "{explanation}");
    assert!(explanation.contains("`--fix` deletes it only on such evidence"), "{explanation}");

    // Evidence: a container that failed and restarted, or a waiting reason that does not clear.
    let restarted = with(
        pods[2].clone(),
        json!({ "status": { "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 1, "image": "app:2",
                "imageID": "", "state": { "running": { "startedAt": ago(60) } },
                "lastState": { "terminated": { "exitCode": 137, "reason": "OOMKilled" } } }] } }),
    );
    let mut with_restart = pods.clone();
    with_restart[2] = restarted;
    let s = run_with(set.clone(), with_restart, Ok(revisions.clone()));
    assert_eq!(s.phase, Phase::Trapped, "{}", s.reason);
    let explanation = s.explanation.unwrap();
    assert!(
        explanation.starts_with(
            "web-2 has not been Ready for 10m (Running, not Ready; 1 restart(s), last terminated: OOMKilled)."
        ),
        "{explanation}"
    );
    for reason in ["ErrImagePull", "CreateContainerConfigError", "CrashLoopBackOff"] {
        pods[2] = failing(pods[2].clone(), reason, 600);
        let s = run_with(set.clone(), pods.clone(), Ok(revisions.clone()));
        assert_eq!(s.phase, Phase::Trapped, "{reason}: {}", s.reason);
    }
    // A waiting reason that clears by itself is no evidence.
    pods[2] = with(
        failing(pods[2].clone(), "ContainerCreating", 600),
        json!({ "status": { "containerStatuses": [
        { "name": "app", "ready": false, "restartCount": 0, "image": "app:2", "imageID": "",
          "state": { "waiting": { "reason": "ContainerCreating" } } }] } }),
    );
    assert_eq!(run_with(set, pods, Ok(revisions)).phase, Phase::Stuck);
}

#[test]
fn an_ordered_scale_down_blocked_by_two_unhealthy_pods_is_stuck_after_the_threshold() {
    // replicas 2, web-2 and web-3 crash-looping: the controller does not remove web-3, because
    // web-2 is the first unhealthy pod (processCondemned), and waits.
    let mut pods: Vec<Value> = (0..4).map(|i| pod("web", i, "n1")).collect();
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 60);
    pods[3] = failing(pods[3].clone(), "CrashLoopBackOff", 60);
    let s = run(sts("web", 2), pods.clone());
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(next(&s), ("scaleDownBlocked", vec!["web-3", "web-2"]));
    assert!(
        s.reason.starts_with(
            "scale-down is blocked until web-2 (Running, not Ready, CrashLoopBackOff) is Running and Ready: web-3"
        ),
        "{}",
        s.reason
    );
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert_eq!(
        row(&s, "web-3").note.as_deref(),
        Some("removal blocked: waits for web-2 (the lowest unhealthy pod) to be Running and Ready")
    );

    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 600);
    pods[3] = failing(pods[3].clone(), "CrashLoopBackOff", 600);
    let s = run(sts("web", 2), pods.clone());
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert!(s.reason.starts_with("scale-down is blocked: web-3 (Running, not Ready, CrashLoopBackOff) is unhealthy and not the lowest unhealthy pod"), "{}", s.reason);
    assert!(s.reason.contains("deleting web-3 by hand does what the scale-down would do"), "{}", s.reason);
    assert_eq!(row(&s, "web-2").note.as_deref(), Some("stuck: not Ready for 10m"));

    // Only web-3 unhealthy: it is the first unhealthy pod, and goes. Parallel removes both.
    let mut only_highest = pods.clone();
    only_highest[2] = pod("web", 2, "n1");
    assert_eq!(next(&run(sts("web", 2), only_highest)), ("scaleDown", vec!["web-3"]));
    let parallel = with(sts("web", 2), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    assert_eq!(next(&run(parallel, pods)), ("scaleDown", vec!["web-3", "web-2"]));
}

#[test]
fn pods_recreated_below_the_partition_get_the_current_revision_whatever_ordinals_start() {
    // newVersionedStatefulSetPod compares the ordinal with ordinals.start + partition (upstream
    // stateful_set_utils.go; kruise#1749 was Advanced StatefulSet's own bug): with start 5 and
    // partition 2, web-5 (index 0) comes back on the current revision, like the update counts it.
    let (set, _) = rolling(3, 2);
    let set = with(set, json!({ "spec": { "ordinals": { "start": 5 } } }));
    let pods = vec![pod("web", 6, "n1"), on(pod("web", 7, "n1"), "web-r2")];
    let s = run(set.clone(), pods.clone());
    assert_eq!(next(&s), ("create", vec!["web-5"]));
    assert_eq!((row(&s, "web-5").index, row(&s, "web-5").wants), (0, Wants::Current));
    let evicted = with(
        pod("web", 5, "n1"),
        json!({ "status": { "phase": "Failed", "reason": "Evicted",
                "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(5) }] } }),
    );
    let mut failed = pods.clone();
    failed.push(evicted);
    let s = run(set, failed);
    assert_eq!(next(&s), ("recreate", vec!["web-5"]));
    assert_eq!(row(&s, "web-5").wants, Wants::Current);
    assert_eq!(s.reason, "the controller deletes web-5 (Failed) to create it again");
}

#[test]
fn succeeded_pods_are_recreated_by_newer_controllers_and_block_older_ones() {
    // A node shutdown left web-1 Succeeded (1.27+ kubelets); web-2 not created yet.
    let succeeded = |secs: i64| {
        with(
            pod("web", 1, "n1"),
            json!({ "status": { "phase": "Succeeded",
                    "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(secs) }] } }),
        )
    };
    let pods = |secs| vec![pod("web", 0, "n1"), succeeded(secs)];
    // 1.29+: deleted and created again.
    let s = judge(sts("web", 3), pods(30), &server(29));
    assert_eq!(next(&s), ("recreate", vec!["web-1"]));
    assert_eq!(s.reason, "the controller deletes web-1 (Succeeded) to create it again");
    // 1.20: only Failed pods are recreated; OrderedReady waits for web-1 forever.
    let s = judge(sts("web", 3), pods(30), &server(20));
    assert_eq!(next(&s), ("waitReady", vec!["web-1"]));
    let s = judge(sts("web", 3), pods(600), &server(20));
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert!(s.reason.starts_with("web-1 has been Succeeded for 10m"), "{}", s.reason);
    assert!(s.reason.contains("this controller recreates only Failed pods"), "{}", s.reason);
    assert!(s.reason.contains("kubectl delete pod web-1 -n shop"), "{}", s.reason);
    // Unknown version (or 1.27/1.28): recreated on the patched ones; said so, and stuck if it stays.
    let s = judge(sts("web", 3), pods(30), &Facts::default());
    assert_eq!(next(&s), ("recreate", vec!["web-1"]));
    assert!(
        s.reason.contains("a Succeeded pod only where the controller has kubernetes/kubernetes#121389"),
        "{}",
        s.reason
    );
    let s = judge(sts("web", 3), pods(600), &server(28));
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert!(s.reason.contains("controllers before 1.29"), "{}", s.reason);
}

#[test]
fn a_skewed_local_clock_is_noted_and_rows_carry_their_resource_version() {
    let facts = Facts { local_skew_seconds: Some(300), ..Facts::default() };
    let s = judge(sts("web", 1), vec![pod("web", 0, "n1")], &facts);
    assert_eq!(
        s.notes,
        [
            "the local clock is 5m ahead of the API server's: ages and --stuck-after are judged on the API server's clock"
        ]
    );
    assert_eq!(s.ordinals[0].resource_version.as_deref(), Some("200"));
    let in_sync = Facts { local_skew_seconds: Some(-3), ..Facts::default() };
    assert!(judge(sts("web", 1), vec![pod("web", 0, "n1")], &in_sync).notes.is_empty());
}

#[test]
fn a_server_without_a_date_header_is_noted() {
    let facts = Facts { local_clock_only: true, ..Facts::default() };
    let s = judge(sts("web", 1), vec![pod("web", 0, "n1")], &facts);
    assert_eq!(
        s.notes,
        ["the API server sent no Date header: ages and --stuck-after are judged on the local clock, which could \
             not be checked"]
    );
}

#[test]
fn a_parallel_scale_down_is_not_done_while_a_pod_outside_the_range_is_terminating() {
    // Parallel: processCondemned does not wait for a terminating pod, so the controller has nothing
    // left to do, yet web-2 still runs (its kubelet has not confirmed the deletion): not done.
    let set = with(sts("web", 2), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    let mut pods: Vec<Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
    let terminating = |p: Value, deadline_secs_ago: i64| {
        with(
            p,
            json!({ "metadata": { "deletionTimestamp": ago(deadline_secs_ago), "deletionGracePeriodSeconds": 30 } }),
        )
    };
    pods[2] = terminating(pods[2].clone(), -20);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(s.reason, "waiting for web-2 (Terminating), outside the ordinal range [0, 2), to be gone");
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    // Past its grace period: stuck, pointing at the node.
    pods[2] = terminating(pods[2].clone(), 600);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert!(s.reason.starts_with("web-2 has been terminating for 10m past its grace period"), "{}", s.reason);
    // A partition is not complete either.
    let (set, mut pods) = rolling(2, 1);
    let set = with(set, json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    pods[1] = on(pods[1].clone(), "web-r2");
    pods.push(terminating(pod("web", 2, "n1"), -20));
    assert_eq!(run(set, pods).phase, Phase::Progressing);
}

#[test]
fn a_pod_whose_kubelet_just_confirmed_a_long_termination_is_not_stuck() {
    // web-2 took 10m of its 20m grace period to stop; its kubelet's grace-0 DELETE moves
    // deletionTimestamp back to the deletion request (BeforeDelete) as the object is removed.
    // Seen at that moment (a watch event), it is on its way out, not past its grace period.
    let set = with(sts("web", 2), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    let mut pods: Vec<Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
    pods[2] = with(
        pods[2].clone(),
        json!({ "metadata": { "deletionTimestamp": ago(600), "deletionGracePeriodSeconds": 0 } }),
    );
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(s.reason, "waiting for web-2 (Terminating), outside the ordinal range [0, 2), to be gone");
    // The same for a pod the rolling update replaces.
    let (set, mut pods) = rolling(3, 0);
    pods[2] = with(
        pods[2].clone(),
        json!({ "metadata": { "deletionTimestamp": ago(600), "deletionGracePeriodSeconds": 0 } }),
    );
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert!(s.reason.contains("web-2 to finish terminating"), "{}", s.reason);
}

#[test]
fn a_fix_confirmed_late_is_judged_again() {
    let (set, mut pods, revisions) = reverted();
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let judged = run_with(set.clone(), pods.clone(), Ok(revisions.clone()));
    assert_eq!(judged.phase, Phase::Trapped, "{}", judged.reason);
    assert_eq!(still_trapped(&judged, &judged), Ok(()));

    // A new template meanwhile: deleting web-2 would now recreate it from web-r3.
    let newer = with(
        set.clone(),
        json!({ "metadata": { "generation": 4 }, "status": { "observedGeneration": 4, "updateRevision": "web-r3" } }),
    );
    let mut newer_revisions = revisions.clone();
    newer_revisions.push(revision("web-r3", 4, 10));
    let err = still_trapped(&judged, &run_with(newer, pods.clone(), Ok(newer_revisions))).unwrap_err();
    assert_eq!(
        err,
        "the spec of statefulset web changed (generation 3 -> 4, update revision web-r1 -> web-r3) since web-2 was \
         judged trapped: nothing was deleted; re-run to judge it again"
    );
    // The pod changed (a restart, a status update).
    let mut moved = pods.clone();
    moved[2] = with(moved[2].clone(), json!({ "metadata": { "resourceVersion": "201" } }));
    let err = still_trapped(&judged, &run_with(set.clone(), moved, Ok(revisions.clone()))).unwrap_err();
    assert!(err.starts_with("pod web-2 changed (its status moved"), "{err}");
    // Judged again, no longer trapped (here web-2 is above the partition, the spec otherwise the same).
    let paused = with(set, json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 3 } } } }));
    let err = still_trapped(&judged, &run_with(paused, pods, Ok(revisions))).unwrap_err();
    assert!(err.starts_with("the rollout is "), "{err}");
}

#[test]
fn an_unschedulable_pod_is_blamed_on_placement_not_on_the_revision() {
    let (set, mut pods) = rolling(3, 2);
    pods[2] = with(
        on(pod("web", 2, "n1"), "web-r2"),
        json!({ "metadata": { "creationTimestamp": ago(900) }, "spec": { "nodeName": null },
                "status": { "phase": "Pending", "conditions": null, "containerStatuses": null } }),
    );
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert!(s.reason.starts_with("web-2 has not been scheduled to a node for 15m: no node fits it"), "{}", s.reason);
    assert!(!s.reason.contains("looks broken"), "{}", s.reason);
}

#[test]
fn on_delete_a_failing_pod_on_the_old_revision_is_to_be_deleted() {
    let (set, mut pods) = rolling(3, 0);
    let set = with(set, json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } } }));
    pods[1] = failing(pods[1].clone(), "CrashLoopBackOff", 900);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-1"));
    assert!(
        s.reason.starts_with(
            "web-1 has not been Ready for 15m (Running, not Ready, CrashLoopBackOff) on revision web-r1: \
             with OnDelete the controller replaces it only once it is deleted; deleting it recreates it from update \
             revision web-r2"
        ),
        "{}",
        s.reason
    );
}
