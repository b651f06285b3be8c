use serde_json::json;

use super::*;
use crate::testing::*;

fn rows(report: &DrainReport) -> Vec<(&str, &str, Option<bool>)> {
    report.pods.iter().map(|r| (r.pod.as_str(), r.eviction, r.runs_elsewhere)).collect()
}

#[test]
fn a_budget_allowing_one_lets_the_first_pod_go_and_the_next_wait() {
    // web-0 and web-2 on n1 (healthy() alternates n1/n2), maxUnavailable 1.
    let snap = snapshot(healthy("web", 3));
    let report = assess(&snap, "n1", Some("shop"));
    assert!(report.would_complete, "{report:#?}");
    // Highest ordinal first.
    assert_eq!(rows(&report), [("web-2", "allowed", Some(true)), ("web-0", "waits", Some(true))]);
    let impact = &report.statefulsets[0];
    assert_eq!(
        (impact.on_node.clone(), impact.ready_elsewhere, impact.majority),
        (vec!["web-0".into(), "web-2".into()], 1, 2)
    );
    assert!(
        impact.message.contains("2 of 3 replica(s) on n1 (web-0, web-2)")
            && impact.message.contains("below a majority (2 of 3)"),
        "{}",
        impact.message
    );
    let commands: Vec<&str> = report.steps.iter().filter_map(|s| s.command.as_deref()).collect();
    assert_eq!(commands[0], "kubectl cordon n1");
    assert_eq!(
        commands[1],
        "kubectl drain n1 --pod-selector=statefulset.kubernetes.io/pod-name=web-2 --ignore-daemonsets --delete-emptydir-data"
    );
    assert_eq!(commands[2], "kubectl sts-doctor -n shop ordinals web");
}

#[test]
fn forbidding_budgets_and_several_budgets_block() {
    let mut objects = unguarded("web", 3);
    let status = json!({ "disruptionsAllowed": 0, "currentHealthy": 3, "desiredHealthy": 3, "expectedPods": 3 });
    objects.push(pdb("web", "web", json!({ "minAvailable": 3 }), status));
    let report = assess(&snapshot(objects.clone()), "n2", Some("shop"));
    assert!(!report.would_complete);
    assert_eq!(rows(&report), [("web-1", "blocked", Some(true))]);
    assert!(report.pods[0].eviction_reason.contains("forbids every eviction: the drain hangs"), "{report:#?}");
    assert!(report.verdict.starts_with("a drain of n2 would not go through"), "{}", report.verdict);
    assert!(report.steps[0].text.starts_with("first resolve shop/web-1"), "{:?}", report.steps);

    let status = json!({ "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3 });
    objects.push(pdb("web-too", "web", json!({ "maxUnavailable": 1 }), status));
    let report = assess(&snapshot(objects), "n2", Some("shop"));
    assert!(report.pods[0].eviction_reason.starts_with("selected by 2 budgets"), "{report:#?}");
}

#[test]
fn a_local_volume_or_a_pinned_template_cannot_move() {
    let mut objects = healthy("web", 2);
    let pv = volume("data-web-1");
    let name = pv["metadata"]["name"].as_str().unwrap().to_string();
    remove(&mut objects, "PersistentVolume", &name);
    objects.push(with(pv, local_volume_on(json!(["n2"]))));
    let report = assess(&snapshot(objects), "n2", None);
    assert!(!report.would_complete);
    assert_eq!(rows(&report), [("web-1", "allowed", Some(false))]);
    assert!(report.pods[0].elsewhere_reason.contains("has node affinity to n2 only"), "{report:#?}");

    let mut objects = healthy("web", 2);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "template": { "spec": { "nodeName": "n2" } } } }));
    let report = assess(&snapshot(objects), "n2", None);
    assert_eq!(report.pods[0].runs_elsewhere, Some(false));
    assert!(report.pods[0].elsewhere_reason.starts_with("the template sets nodeName n2"), "{report:#?}");
}

#[test]
fn an_unready_pod_goes_only_while_the_budget_is_met_unless_always_allow() {
    let mut objects = unguarded("web", 2);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }),
    );
    let short = json!({ "disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 2, "expectedPods": 2 });
    objects.push(pdb("web", "web", json!({ "minAvailable": 2 }), short));
    let report = assess(&snapshot(objects.clone()), "n2", None);
    assert_eq!(report.pods[0].eviction, "blocked");
    assert!(report.pods[0].eviction_reason.contains("IfHealthyBudget refuses it"), "{report:#?}");
    patch(
        &mut objects,
        "PodDisruptionBudget",
        "web",
        json!({ "spec": { "unhealthyPodEvictionPolicy": "AlwaysAllow" } }),
    );
    let report = assess(&snapshot(objects), "n2", None);
    assert_eq!(report.pods[0].eviction, "allowed");
}

#[test]
fn no_statefulset_pod_on_the_node_and_unreadable_budgets() {
    let snap = snapshot(healthy("web", 1));
    let report = assess(&snap, "n2", Some("shop"));
    assert!(report.would_complete && report.pods.is_empty());
    assert_eq!(
        report.verdict,
        "no StatefulSet pod on node n2 (StatefulSets of namespace shop; -A for all): draining it affects none"
    );
    let mut snap = snapshot(healthy("web", 1));
    snap.disruption_budgets = Err("forbidden".into());
    let report = assess(&snap, "n1", None);
    assert!(!report.would_complete);
    assert_eq!(report.pods[0].eviction, "unknown");
}
