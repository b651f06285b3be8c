use serde_json::{Value, json};

use super::*;
use crate::rollout::tests::{failing, on, rolling, run};
use crate::testing::{pod, with};

fn partition_complete(replicas: i32, partition: i32) -> RolloutStatus {
    let (set, pods) = rolling(replicas, partition);
    let pods: Vec<Value> =
        pods.into_iter().enumerate().map(|(i, p)| if i as i32 >= partition { on(p, "web-r2") } else { p }).collect();
    let s = run(set, pods);
    assert_eq!(s.phase, Phase::PartitionComplete, "{}", s.reason);
    s
}

#[test]
fn one_step_updates_the_next_ordinal_down() {
    let plan = plan(&partition_complete(3, 2), Request::Step { by: 1, until: Some(0) }).unwrap();
    assert_eq!((plan.from, plan.steps.clone(), plan.raises), (2, vec![1, 0], false));
    assert_eq!(plan.updates, vec![vec!["web-1".to_string()], vec!["web-0".to_string()]]);
    let plan = super::plan(&partition_complete(3, 2), Request::Step { by: 1, until: Some(1) }).unwrap();
    assert_eq!(plan.steps, vec![1]);
    let plan = super::plan(&partition_complete(3, 2), Request::Step { by: 5, until: Some(0) }).unwrap();
    assert_eq!(plan.steps, vec![0]);
    assert_eq!(plan.updates, vec![vec!["web-1".to_string(), "web-0".to_string()]]);
}

#[test]
fn without_until_a_step_is_one_step() {
    let plan = super::plan(&partition_complete(3, 2), Request::Step { by: 1, until: None }).unwrap();
    assert_eq!((plan.steps.clone(), plan.updates.clone()), (vec![1], vec![vec!["web-1".to_string()]]));
    let plan = super::plan(&partition_complete(3, 2), Request::Step { by: 5, until: None }).unwrap();
    assert_eq!(plan.steps, vec![0], "not below 0");
    let plan = super::plan(&partition_complete(3, 5), Request::Step { by: 1, until: None }).unwrap();
    assert_eq!(plan.steps, vec![2], "stepped from replicas");
}

#[test]
fn to_sets_the_partition_once_and_may_raise_it() {
    let plan = super::plan(&partition_complete(3, 2), Request::To(0)).unwrap();
    assert_eq!((plan.steps.clone(), plan.target()), (vec![0], 0));
    assert_eq!(plan.updates, vec![vec!["web-1".to_string(), "web-0".to_string()]]);
    let plan = super::plan(&partition_complete(3, 1), Request::To(3)).unwrap();
    assert!(plan.raises);
    assert_eq!(plan.updates, vec![Vec::<String>::new()]);
}

#[test]
fn a_partition_above_replicas_is_stepped_from_replicas() {
    let plan = super::plan(&partition_complete(3, 5), Request::Step { by: 1, until: Some(2) }).unwrap();
    assert_eq!((plan.from, plan.steps.clone()), (5, vec![2]));
    assert_eq!(plan.updates, vec![vec!["web-2".to_string()]]);
}

#[test]
fn steps_name_ordinals_counted_from_ordinals_start() {
    let (set, _) = rolling(3, 2);
    let set = with(set, json!({ "spec": { "ordinals": { "start": 5 } } }));
    let pods = vec![pod("web", 5, "n1"), pod("web", 6, "n1"), on(pod("web", 7, "n1"), "web-r2")];
    let plan = super::plan(&run(set, pods), Request::Step { by: 1, until: Some(1) }).unwrap();
    assert_eq!(plan.updates, vec![vec!["web-6".to_string()]]);
}

#[test]
fn refusals_say_what_is_wrong() {
    let refuse = |s: &RolloutStatus, r: Request| super::plan(s, r).unwrap_err();
    assert_eq!(refuse(&partition_complete(3, 2), Request::To(2)), "the partition of web is already 2");
    let (set, pods) = rolling(3, 0);
    let done = run(
        with(set, json!({ "status": { "currentRevision": "web-r2" } })),
        pods.into_iter().map(|p| on(p, "web-r2")).collect(),
    );
    assert_eq!(done.phase, Phase::Done);
    assert_eq!(
        refuse(&done, Request::Step { by: 1, until: Some(0) }),
        "the partition of web is 0: nothing to lower down to 0"
    );

    let (set, mut pods) = rolling(3, 2);
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let stuck = run(set.clone(), pods);
    assert!(refuse(&stuck, Request::To(0)).starts_with("the rollout is stuck: web-2 on update revision"));
    assert!(refuse(&stuck, Request::Step { by: 1, until: Some(0) }).contains("raising it, with --to, pauses it"));
    assert!(refuse(&stuck, Request::To(2)).starts_with("the rollout is stuck"), "not raising: refused");

    let (_, pods) = rolling(3, 2);
    let unobserved = run(with(set.clone(), json!({ "metadata": { "generation": 3 } })), pods.clone());
    assert!(refuse(&unobserved, Request::To(0)).starts_with("the controller has not observed generation 3"));

    let on_delete =
        run(with(set, json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } } })), pods);
    assert!(refuse(&on_delete, Request::To(0)).contains("uses the OnDelete strategy"));
}

#[test]
fn the_gate_opens_when_the_updated_pods_are_ready() {
    assert_eq!(gate(&partition_complete(3, 2), 1), Gate::Go);
    let (set, mut pods) = rolling(3, 2);
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "ContainerCreating", 5);
    let progressing = run(set.clone(), pods.clone());
    assert!(matches!(gate(&progressing, 1), Gate::Wait(_)));
    // Raising never waits: it only pauses the rollout.
    assert_eq!(gate(&progressing, 3), Gate::Go);
    pods[2] = failing(pods[2].clone(), "CrashLoopBackOff", 600);
    assert!(matches!(gate(&run(set, pods), 1), Gate::Stop(_)));
}

#[test]
fn a_stuck_or_trapped_rollout_may_be_paused_by_raising_the_partition() {
    let (set, mut pods) = rolling(3, 1);
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let stuck = run(set, pods);
    assert_eq!(stuck.phase, Phase::Stuck, "{}", stuck.reason);
    let plan = super::plan(&stuck, Request::To(3)).unwrap();
    assert!(plan.raises);
    assert_eq!(plan.steps, vec![3]);
    assert_eq!(gate(&stuck, 3), Gate::Go);
    assert!(matches!(gate(&stuck, 0), Gate::Stop(_)));

    // Trapped too (a reverted template, web-2 crash-looping on the abandoned revision).
    let (set, mut pods) = rolling(3, 0);
    let set = with(set, json!({ "status": { "updateRevision": "web-r3" } }));
    pods[2] = failing(on(pods[2].clone(), "web-r2"), "CrashLoopBackOff", 600);
    let trapped = run(set, pods);
    assert_eq!(trapped.phase, Phase::Trapped, "{}", trapped.reason);
    assert!(super::plan(&trapped, Request::To(2)).unwrap().raises);
}
