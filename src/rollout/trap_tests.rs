//! The forced-rollback trap (kubernetes#67250) and what blocks a rollout (fixtures as in `tests`).

use jiff::SignedDuration;
use serde_json::json;

use super::tests::{STUCK_AFTER, failing, next, on, revision, rolling, row, run, run_with};
use super::*;
use crate::testing::{now, with};

#[test]
fn a_reverted_template_traps_ordered_ready_on_the_broken_pod() {
    // web-r2 broke web-2; the template was reverted: web-r1 is the update revision again,
    // renumbered 3, and the controller waits for web-2 forever.
    let (set, mut pods) = rolling(3, 2);
    let set = with(
        set,
        json!({ "metadata": { "generation": 3 },
        "status": { "observedGeneration": 3, "updateRevision": "web-r1" } }),
    );
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let revisions = vec![revision("web-r1", 3, 86400), revision("web-r2", 2, 700)];
    let s = run_with(set.clone(), pods.clone(), Ok(revisions.clone()));
    assert_eq!(s.phase, Phase::Trapped, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-2"));
    assert_eq!(next(&s), ("waitReady", vec!["web-2"]));
    assert_eq!(row(&s, "web-2").revision.as_deref(), Some("other"));
    let explanation = s.explanation.clone().unwrap();
    assert!(explanation.contains("The template was reverted: the update revision is the older template web-r1 (revision 3) brought back, while web-2 still runs web-r2 (revision 2)."), "{explanation}");
    assert!(explanation.contains("kubernetes/kubernetes#67250"), "{explanation}");
    assert!(
        explanation.contains("Fix: delete web-2; the controller recreates it from update revision web-r1"),
        "{explanation}"
    );

    // Right after the revert, well under --stuck-after: trapped at once, the controller waits for a
    // crash-looping pod forever (no timer to wait out). With Parallel it replaces it itself.
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 30);
    let s = run_with(set.clone(), pods.clone(), Ok(revisions.clone()));
    assert_eq!(s.phase, Phase::Trapped, "{}", s.reason);
    assert!(s.reason.contains("the controller waits for it forever (kubernetes/kubernetes#67250)"), "{}", s.reason);
    // Merely slow (Running, not Ready, no restart): progressing until --stuck-after.
    let mut slow = pods.clone();
    slow[2] = failing(on(crate::testing::pod("web", 2, "n1"), "web-r2"), "ContainerCreating", 30);
    assert_eq!(run_with(set.clone(), slow, Ok(revisions.clone())).phase, Phase::Progressing);
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 600);
    let parallel = with(set.clone(), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    let s = run_with(parallel, pods.clone(), Ok(revisions));
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]));

    // Without the ControllerRevisions the trap is still seen, by revision names.
    let s = run_with(set, pods, Err("forbidden".into()));
    assert_eq!(s.phase, Phase::Trapped);
    assert!(s.notes[0].starts_with("revision numbers unknown"), "{:?}", s.notes);
}

#[test]
fn a_new_template_after_a_broken_one_is_trapped_too() {
    let (set, mut pods) = rolling(3, 0);
    let set = with(
        set,
        json!({ "metadata": { "generation": 3 },
        "status": { "observedGeneration": 3, "updateRevision": "web-r3" } }),
    );
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let revisions = vec![revision("web-r1", 1, 86400), revision("web-r2", 2, 700), revision("web-r3", 3, 100)];
    let s = run_with(set, pods, Ok(revisions));
    assert_eq!(s.phase, Phase::Trapped);
    assert!(
        s.explanation
            .unwrap()
            .contains("The template changed to web-r3 (revision 3) after web-2 was created from web-r2 (revision 2)."),
    );
}

#[test]
fn a_pod_already_failing_on_the_current_revision_traps_the_next_rollout() {
    let (set, mut pods) = rolling(3, 0);
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 600);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Trapped);
    assert!(s.explanation.unwrap().contains("web-2 was already failing on the current revision web-r1 (revision 1)"));
}

#[test]
fn a_failing_pod_below_the_partition_is_stuck_not_trapped() {
    let (set, mut pods) = rolling(3, 2);
    pods[0] = failing(pods[0].clone(), "CrashLoopBackOff", 600);
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::Stuck, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-0"));
    assert!(s.reason.ends_with("the controller waits for it before it goes on"), "{}", s.reason);
}

#[test]
fn a_blocking_pod_on_a_lost_node_says_so() {
    let (set, mut pods) = rolling(3, 2);
    pods[0] = failing(pods[0].clone(), "NodeLost", 600);
    let set = StatefulSet::from(&serde_json::from_value(set).unwrap());
    let pods: Vec<Pod> = pods.into_iter().map(|p| Pod::from(&serde_json::from_value(p).unwrap())).collect();
    let lost = crate::health::NodeHealth {
        node: "n1".into(),
        state: "Unknown".into(),
        since: Some(now() - SignedDuration::from_secs(560)),
        lease_renewed: Some(now() - SignedDuration::from_secs(600)),
        lease_stale: true,
        taints: vec![],
        suspect_lost: true,
    };
    let facts = Facts { nodes: BTreeMap::from([("n1".to_string(), lost)]), ..Facts::default() };
    let s = status_with(&set, &pods, &Ok(vec![]), &facts, now(), STUCK_AFTER);
    assert_eq!(s.phase, Phase::Stuck);
    assert!(
        s.reason
            == "web-0 has not been Ready for 10m (Running, not Ready, NodeLost); its node n1 looks lost (Unknown \
                9m20s, lease 10m old): a deletion does not finish until the node is back or the pod is force-deleted \
                (`kubectl sts-doctor -n shop force-delete web-0`)",
        "{}",
        s.reason
    );
    assert_eq!(s.ordinals[0].node.as_deref(), Some("n1"));
}
