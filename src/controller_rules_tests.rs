use super::*;
use crate::testing::{now, pod, sts, with};
use serde_json::json;

fn healthy_slot(ordinal: i32, in_range: bool) -> Slot {
    Slot {
        ordinal,
        in_range,
        missing: false,
        held: false,
        terminating: false,
        finished: None,
        running_ready: true,
        available: true,
    }
}

fn unhealthy(ordinal: i32, in_range: bool) -> Slot {
    Slot { running_ready: false, available: false, ..healthy_slot(ordinal, in_range) }
}

const ORDERED: Rules = Rules { monotonic: true, succeeded: SucceededPods::Unknown };
const PARALLEL: Rules = Rules { monotonic: false, succeeded: SucceededPods::Unknown };

fn version(minor: u32) -> ServerVersion {
    ServerVersion { git_version: format!("v1.{minor}.0"), major: 1, minor }
}

#[test]
fn available_waits_for_min_ready_seconds_where_the_server_has_them() {
    let set = StatefulSet::from(&serde_json::from_value(sts("web", 1)).unwrap());
    let ready_10s = with(
        pod("web", 0, "n1"),
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "True",
                "lastTransitionTime": crate::testing::ago(10) }] } }),
    );
    let p = Pod::from(&serde_json::from_value(ready_10s).unwrap());
    assert!(available(&p, None, now()), "no field (1.20): Ready is enough");
    assert!(available(&p, Some(0), now()));
    assert!(!available(&p, Some(10), now()), "IsPodAvailable: transition + min must be before now");
    assert!(available(&p, Some(9), now()));
    assert!(Slot::of(&set, 0, &p, now()).available);
}

#[test]
fn ordered_ready_walks_replicas_in_index_order() {
    let slots = [healthy_slot(0, true), unhealthy(1, true), Slot::missing(2, true)];
    assert_eq!(replica_step(&ORDERED, &slots), ReplicaStep::WaitReady(1));
    assert_eq!(replica_step(&PARALLEL, &slots), ReplicaStep::Create(vec![2]));
    let slots = [healthy_slot(0, true), Slot { available: false, ..healthy_slot(1, true) }];
    assert_eq!(replica_step(&ORDERED, &slots), ReplicaStep::WaitAvailable(1));
    let slots = [Slot { terminating: true, ..healthy_slot(0, true) }, Slot::missing(1, true)];
    assert_eq!(replica_step(&ORDERED, &slots), ReplicaStep::WaitTerminating(0));
}

#[test]
fn succeeded_pods_are_recreated_only_by_newer_controllers() {
    let succeeded = Slot { finished: Some(Finished::Succeeded), ..unhealthy(0, true) };
    let failed = Slot { finished: Some(Finished::Failed), ..unhealthy(0, true) };
    let new = Rules::of(&StatefulSet::from(&serde_json::from_value(sts("web", 1)).unwrap()), Some(&version(29)));
    let old = Rules { succeeded: SucceededPods::for_version(Some(&version(20))), ..new };
    assert_eq!(new.succeeded, SucceededPods::Recreated);
    assert_eq!(old.succeeded, SucceededPods::Kept);
    assert_eq!(SucceededPods::for_version(Some(&version(28))), SucceededPods::Unknown);
    assert_eq!(replica_step(&new, &[succeeded]), ReplicaStep::Recreate(vec![0]));
    // 1.20 recreates only Failed pods: OrderedReady waits for the Succeeded one forever.
    assert_eq!(replica_step(&old, &[succeeded]), ReplicaStep::WaitReady(0));
    assert_eq!(replica_step(&old, &[failed]), ReplicaStep::Recreate(vec![0]));
}

#[test]
fn ordered_scale_down_removes_an_unhealthy_pod_only_when_it_is_the_first_unhealthy_one() {
    // replicas 2: web-2 and web-3 both crash-looping. web-3 goes first, but web-2 is the first
    // unhealthy pod: the controller blocks (processCondemned).
    let slots = [healthy_slot(0, true), healthy_slot(1, true), unhealthy(2, false), unhealthy(3, false)];
    assert_eq!(replica_step(&ORDERED, &slots), ReplicaStep::Settled);
    assert_eq!(scale_down_step(&ORDERED, &slots), ScaleDownStep::Blocked { condemned: 3, waits_for: 2 });
    assert_eq!(scale_down_step(&PARALLEL, &slots), ScaleDownStep::Delete(vec![3, 2]));
    // Only the highest unhealthy: it is the first unhealthy pod, so it goes.
    let slots = [healthy_slot(0, true), healthy_slot(2, false), unhealthy(3, false)];
    assert_eq!(scale_down_step(&ORDERED, &slots), ScaleDownStep::Delete(vec![2]));
    // A healthy highest pod goes whatever is below it.
    let slots = [healthy_slot(0, true), unhealthy(2, false), healthy_slot(3, false)];
    assert_eq!(scale_down_step(&ORDERED, &slots), ScaleDownStep::Delete(vec![2]));
    let slots = [healthy_slot(0, true), Slot { terminating: true, ..healthy_slot(3, false) }];
    assert_eq!(scale_down_step(&ORDERED, &slots), ScaleDownStep::WaitTerminating(1));
    assert_eq!(scale_down_step(&PARALLEL, &slots), ScaleDownStep::Done);
}
