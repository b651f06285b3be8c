//! The update step of RollingUpdate, which changed with the server version: minReadySeconds
//! (kubernetes#130909, 1.34) and the MaxUnavailableStatefulSet path (on by default in 1.35.0 to
//! 1.35.3, kubernetes#137409). Fixtures as in `tests`.

use serde_json::{Value, json};

use super::tests::{STUCK_AFTER, failing, next, on, ready_since, revision, rolling, row, run};
use super::*;
use crate::testing::{now, pod, with};

/// `set` and `pods` judged by a controller of version `git_version` ("v1.35.2").
fn at(git_version: &str, set: Value, pods: Vec<Value>) -> RolloutStatus {
    let minor = git_version.split('.').nth(1).unwrap().parse().unwrap();
    let version = ServerVersion { git_version: git_version.into(), major: 1, minor };
    let facts = Facts { server_version: Some(version), ..Facts::default() };
    let set = StatefulSet::from(&serde_json::from_value(set).unwrap());
    let pods: Vec<Pod> = pods.into_iter().map(|p| Pod::from(&serde_json::from_value(p).unwrap())).collect();
    let revisions: Vec<ControllerRevision> = [revision("web-r1", 1, 86400), revision("web-r2", 2, 600)]
        .into_iter()
        .map(|r| ControllerRevision::from(&serde_json::from_value(r).unwrap()))
        .collect();
    status_with(&set, &pods, &Ok(revisions), &facts, now(), STUCK_AFTER)
}

fn parallel(set: Value) -> Value {
    with(set, json!({ "spec": { "podManagementPolicy": "Parallel" } }))
}

#[test]
fn min_ready_seconds_counts_where_the_server_has_it() {
    let (set, mut pods) = rolling(3, 2);
    pods[2] = ready_since(on(pods[2].clone(), "web-r2"), 10);
    // 1.20: no minReadySeconds field, Ready is enough.
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::PartitionComplete, "{}", s.reason);
    // 1.22+: Ready for 10s of 30s is not available yet.
    let newer = with(set, json!({ "spec": { "minReadySeconds": 30 }, "status": { "availableReplicas": 2 } }));
    let s = run(newer.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing);
    assert_eq!(next(&s), ("waitAvailable", vec!["web-2"]));
    assert_eq!(s.reason, "waiting for web-2 to be available (Ready for minReadySeconds 30)");
    assert_eq!(row(&s, "web-2").available, Some(false));
    pods[2] = ready_since(pods[2].clone(), 31);
    assert_eq!(run(newer, pods).phase, Phase::PartitionComplete);
}

#[test]
fn max_unavailable_updates_several_pods_at_once() {
    let (set, mut pods) = rolling(4, 0);
    let set = with(
        set,
        json!({ "spec": { "podManagementPolicy": "Parallel",
                          "updateStrategy": { "rollingUpdate": { "maxUnavailable": 2 } } } }),
    );
    let s = run(set.clone(), pods.clone());
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-3", "web-2"]));
    assert!(s.notes.iter().any(|n| n.starts_with("maxUnavailable 2")), "{:?}", s.notes);
    // One updated pod still starting: room for one more.
    pods[3] = failing(on(pods[3].clone(), "web-r2"), "ContainerCreating", 5);
    let s = run(set.clone(), pods.clone());
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]));
    // Percentages round down, to at least 1 (getStatefulSetMaxUnavailable).
    assert_eq!(controller::scaled_max_unavailable("50%", 3), 1);
    assert_eq!(controller::scaled_max_unavailable("50%", 5), 2);
    assert_eq!(controller::scaled_max_unavailable("10%", 3), 1);
    assert_eq!(controller::scaled_max_unavailable("0", 3), 1);
}

/// What v1.37 showed (tests/e2e/modern_rollout.rs): maxUnavailable 2, web-3 and web-2 recreated
/// at once and both starting. The controller replaces web-1 once either is available, so it
/// waits on both: the reason, controllerNext and the notes name both, not web-3 alone.
#[test]
fn max_unavailable_waits_on_every_unavailable_pod() {
    let (set, mut pods) = rolling(4, 0);
    let set = with(
        set,
        json!({ "spec": { "podManagementPolicy": "Parallel",
                          "updateStrategy": { "rollingUpdate": { "maxUnavailable": 2 } } } }),
    );
    pods[3] = failing(on(pods[3].clone(), "web-r2"), "ContainerCreating", 5);
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "ContainerCreating", 5);
    let s = run(set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Progressing, "{}", s.reason);
    assert_eq!(next(&s), ("waitReady", vec!["web-3", "web-2"]));
    assert_eq!(s.blocking_pod.as_deref(), Some("web-3"));
    assert_eq!(
        s.reason,
        "waiting for web-3 to be Running and Ready (it is Running, not Ready, ContainerCreating), and for web-2 \
         (Running, not Ready, ContainerCreating): maxUnavailable 2 and 2 pods unavailable, so the controller replaces \
         no other pod until one of them is available"
    );
    assert_eq!(
        row(&s, "web-3").note.as_deref(),
        Some("the controller waits for it (Running, not Ready, ContainerCreating)")
    );
    assert_eq!(
        row(&s, "web-2").note.as_deref(),
        Some(
            "the controller waits for it too (Running, not Ready, ContainerCreating; counted against maxUnavailable 2)"
        )
    );
    assert_eq!(row(&s, "web-1").note.as_deref(), Some("to be updated"));
    // One of them available: room again, the next pod is replaced.
    pods[2] = on(pod("web", 2, "n1"), "web-r2");
    let s = run(set, pods);
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-1"]));
}

/// A server with the MaxUnavailableStatefulSet gate on defaults the field to 1 (v1.37 stores it on
/// every StatefulSet): one pod at a time, as without it, so no note about it.
#[test]
fn a_max_unavailable_of_one_gets_no_note() {
    let (set, pods) = rolling(3, 0);
    let one = with(set.clone(), json!({ "spec": { "updateStrategy": { "rollingUpdate": { "maxUnavailable": 1 } } } }));
    let s = at("v1.37.2", one, pods.clone());
    assert_eq!(s.statefulset.max_unavailable.as_deref(), Some("1"));
    assert!(s.notes.iter().all(|n| !n.contains("maxUnavailable")), "{:?}", s.notes);
    let half = with(set, json!({ "spec": { "updateStrategy": { "rollingUpdate": { "maxUnavailable": "50%" } } } }));
    let s = at("v1.37.2", with(half.clone(), json!({ "spec": { "replicas": 3 } })), pods.clone());
    assert!(s.notes.iter().all(|n| !n.contains("maxUnavailable")), "50% of 3 is 1: {:?}", s.notes);
    let pods4: Vec<Value> = (0..4).map(|i| pod("web", i, "n1")).collect();
    let s = at("v1.37.2", with(half, json!({ "spec": { "replicas": 4 } })), pods4);
    assert!(s.notes.iter().any(|n| n.starts_with("maxUnavailable 50%")), "{:?}", s.notes);
}

#[test]
fn parallel_before_1_34_goes_on_once_an_updated_pod_is_ready_without_waiting_for_min_ready_seconds() {
    // web-2 updated, Ready for 10s of minReadySeconds 30; web-1 and web-0 still to update.
    let (set, mut pods) = rolling(3, 0);
    let set = with(set, json!({ "spec": { "minReadySeconds": 30 }, "status": { "availableReplicas": 2 } }));
    pods[2] = ready_since(on(pods[2].clone(), "web-r2"), 10);
    // Before 1.34 the update loop waits only for Ready (isHealthy): Parallel goes on (kubernetes#119234).
    let s = at("v1.33.5", parallel(set.clone()), pods.clone());
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-1"]), "{}", s.reason);
    assert!(s.notes.iter().any(|n| n.contains("kubernetes/kubernetes#119234")), "{:?}", s.notes);
    // 1.34 waits for availability (isUnavailable, kubernetes#130909).
    let s = at("v1.34.1", parallel(set.clone()), pods.clone());
    assert_eq!(next(&s), ("waitAvailable", vec!["web-2"]), "{}", s.reason);
    assert!(!s.notes.iter().any(|n| n.contains("#119234")), "{:?}", s.notes);
    // OrderedReady waits for availability in its first walk, on every version with the field.
    let s = at("v1.33.5", set.clone(), pods.clone());
    assert_eq!(next(&s), ("waitAvailable", vec!["web-2"]), "{}", s.reason);
    // Version unknown: as the newer controllers.
    assert_eq!(next(&run(parallel(set), pods)), ("waitAvailable", vec!["web-2"]));
}

#[test]
fn on_1_35_0_to_1_35_3_parallel_updates_with_max_unavailable_1_even_without_the_field() {
    // Parallel, partition 2: web-0, below the partition, is not Ready (under --stuck-after).
    let (set, mut pods) = rolling(3, 2);
    let set = parallel(set);
    pods[0] = failing(pods[0].clone(), "CrashLoopBackOff", 60);
    // The classic update loop looks only at pods from the partition up: it replaces web-2.
    for version in ["v1.34.4", "v1.35.4", "v1.36.0"] {
        let s = at(version, set.clone(), pods.clone());
        assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]), "{version}: {}", s.reason);
    }
    // MaxUnavailableStatefulSet on by default: web-0 counts as the one unavailable pod allowed.
    let s = at("v1.35.2", set.clone(), pods.clone());
    assert_eq!(next(&s), ("waitReady", vec!["web-0"]), "{}", s.reason);
    assert!(s.notes.iter().any(|n| n.contains("kubernetes/kubernetes#137409")), "{:?}", s.notes);
    // OrderedReady: the same on every version (the first walk already waits for web-0).
    let ordered = with(set, json!({ "spec": { "podManagementPolicy": "OrderedReady" } }));
    for version in ["v1.34.4", "v1.35.2"] {
        let s = at(version, ordered.clone(), pods.clone());
        assert_eq!(next(&s), ("waitReady", vec!["web-0"]), "{version}: {}", s.reason);
        assert!(!s.notes.iter().any(|n| n.contains("#137409")), "{:?}", s.notes);
    }
}

#[test]
fn a_broken_pod_on_the_old_revision_traps_parallel_on_1_35_0_to_1_35_3() {
    // The Parallel way out of kubernetes#67250 (the controller replaces a broken old pod) does not
    // work while MaxUnavailableStatefulSet counts that pod as unavailable (kubernetes#137409).
    let (set, mut pods) = rolling(3, 0);
    let set = parallel(set);
    pods[0] = failing(pods[0].clone(), "CrashLoopBackOff", 600);
    let s = at("v1.35.1", set.clone(), pods.clone());
    assert_eq!(s.phase, Phase::Trapped, "{}", s.reason);
    assert_eq!(s.blocking_pod.as_deref(), Some("web-0"));
    let explanation = s.explanation.clone().unwrap();
    assert!(explanation.contains("kubernetes/kubernetes#137409"), "{explanation}");
    assert!(explanation.contains("Fix: delete web-0"), "{explanation}");
    assert!(!explanation.contains("OrderedReady"), "{explanation}");
    for version in ["v1.34.4", "v1.35.4"] {
        let s = at(version, set.clone(), pods.clone());
        assert_eq!(s.phase, Phase::Progressing, "{version}: {}", s.reason);
        assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]));
    }
    // An explicit maxUnavailable 2 leaves room for one more: not trapped.
    let roomy = with(set, json!({ "spec": { "updateStrategy": { "rollingUpdate": { "maxUnavailable": 2 } } } }));
    let s = at("v1.35.1", roomy, pods);
    assert_eq!(next(&s), ("deleteForUpdate", vec!["web-2"]), "{}", s.reason);
}

#[test]
fn the_patch_release_comes_from_git_version() {
    let v = |git: &str| ServerVersion { git_version: git.into(), major: 1, minor: 35 };
    assert_eq!(v("v1.35.3").patch(), Some(3));
    assert_eq!(v("v1.35.12-gke.1200").patch(), Some(12));
    assert_eq!(v("v1.35.0+k3s1").patch(), Some(0));
    assert_eq!(v("weird").patch(), None);
    assert_eq!(v("v1.34.3").patch(), None, "another minor than /version's");
}
