//! PodDisruptionBudget findings on fixtures (policy/v1 and policy/v1beta1).

use serde_json::json;

use super::*;
use crate::testing::*;

fn codes(objects: Vec<serde_json::Value>) -> Vec<(&'static str, String)> {
    let snap = snapshot(objects);
    findings(&snap, &snap.statefulsets[0])
        .into_iter()
        .filter(|f| f.code.starts_with("pdb-"))
        .map(|f| (f.code, f.message))
        .collect()
}

fn healthy_status(n: i32, allowed: i32) -> serde_json::Value {
    json!({ "disruptionsAllowed": allowed, "currentHealthy": n, "desiredHealthy": n - allowed, "expectedPods": n })
}

#[test]
fn no_budget_over_one_replica_is_worth_knowing() {
    let found = codes(unguarded("web", 3));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "pdb-missing");
    assert!(found[0].1.contains("web's 3 replicas"), "{found:?}");
    assert!(codes(unguarded("web", 1)).is_empty());
    let mut ok = unguarded("web", 3);
    ok.push(pdb("web", "web", json!({ "maxUnavailable": 1 }), healthy_status(3, 1)));
    assert!(codes(ok).is_empty());
}

#[test]
fn a_budget_that_forbids_every_eviction() {
    for spec in [json!({ "maxUnavailable": 0 }), json!({ "minAvailable": 3 }), json!({ "minAvailable": "100%" })] {
        let mut objects = unguarded("web", 3);
        objects.push(pdb("web", "web", spec.clone(), healthy_status(3, 0)));
        let found = codes(objects);
        // Forbidding is the reason disruptionsAllowed is 0: one finding.
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["pdb-forbids-all"], "{spec}: {found:?}");
        assert!(found[0].1.contains("a node drain hangs"), "{found:?}");
    }
    let snap = snapshot({
        let mut o = unguarded("web", 3);
        o.push(pdb("web", "web", json!({ "minAvailable": 3 }), healthy_status(3, 0)));
        o
    });
    let f = findings(&snap, &snap.statefulsets[0]).into_iter().find(|f| f.code == "pdb-forbids-all").unwrap();
    assert_eq!(
        f.suggestion.as_deref(),
        Some(r#"kubectl -n shop patch poddisruptionbudget web --type merge -p '{"spec":{"minAvailable":2}}'"#)
    );
}

#[test]
fn no_disruption_allowed_now_says_why_and_an_unready_pod_blocks_under_if_healthy_budget() {
    let mut objects = unguarded("web", 3);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }),
    );
    let status = json!({ "disruptionsAllowed": 0, "currentHealthy": 2, "desiredHealthy": 2, "expectedPods": 3 });
    objects.push(pdb("web", "web", json!({ "minAvailable": 2 }), status));
    let found = codes(objects.clone());
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["pdb-no-disruptions-allowed"], "{found:?}");
    assert!(
        found[0].1.contains("2 of 3 expected pod(s) healthy, 2 needed (minAvailable 2); not healthy: web-1"),
        "{found:?}"
    );
    // Short of its desired healthy pods: the unready pod itself cannot be evicted either.
    let short = json!({ "status": { "disruptionsAllowed": 0, "currentHealthy": 2, "desiredHealthy": 3 },
                        "spec": { "minAvailable": 3 } });
    patch(&mut objects, "PodDisruptionBudget", "web", short);
    let found = codes(objects.clone());
    let blocks = found.iter().find(|f| f.0 == "pdb-unhealthy-pod-blocks").unwrap_or_else(|| panic!("{found:?}"));
    assert!(blocks.1.contains("web-1 Running but not Ready") && blocks.1.contains("AlwaysAllow (1.31+)"), "{blocks:?}");
    patch(
        &mut objects,
        "PodDisruptionBudget",
        "web",
        json!({ "spec": { "unhealthyPodEvictionPolicy": "AlwaysAllow" } }),
    );
    assert!(!codes(objects.clone()).iter().any(|f| f.0 == "pdb-unhealthy-pod-blocks"));
    // policy/v1beta1 (1.20): not checked, and the report says so.
    patch(
        &mut objects,
        "PodDisruptionBudget",
        "web",
        json!({ "apiVersion": "policy/v1beta1", "spec": { "unhealthyPodEvictionPolicy": null } }),
    );
    let snap = snapshot(objects);
    let report = diagnose(&snap, Some("shop"));
    assert!(!report.statefulsets[0].findings.iter().any(|f| f.code == "pdb-unhealthy-pod-blocks"));
    assert_eq!(report.summary.unchecked, ["pdb-unhealthy-pod-blocks"]);
    assert!(report.notes.iter().any(|n| n.starts_with("unhealthyPodEvictionPolicy not checked")), "{:?}", report.notes);
}

#[test]
fn overlapping_budgets_and_one_covering_other_workloads() {
    let mut objects = unguarded("web", 2);
    objects.push(pdb("web", "web", json!({ "maxUnavailable": 1 }), healthy_status(2, 1)));
    objects.push(pdb("web-too", "web", json!({ "maxUnavailable": 1 }), healthy_status(2, 1)));
    let found = codes(objects);
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["pdb-overlapping"], "{found:?}");
    assert!(found[0].1.contains("(web, web-too)"), "{found:?}");

    let mut objects = unguarded("web", 2);
    let stranger = with(
        pod("api", 0, "n1"),
        json!({ "metadata": { "labels": { "app": "web" }, "ownerReferences": [
        { "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-1", "uid": "uid-rs", "controller": true }] } }),
    );
    objects.push(stranger);
    objects.push(pdb("web", "web", json!({ "maxUnavailable": 1 }), healthy_status(3, 1)));
    let found = codes(objects);
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), ["pdb-covers-other-pods"], "{found:?}");
    assert!(found[0].1.contains("1 pod(s) that are not web's (api-0)"), "{found:?}");
}

#[test]
fn an_empty_selector_selects_every_pod_in_v1_and_none_in_v1beta1() {
    let mut objects = unguarded("web", 2);
    let mut all = pdb("all", "web", json!({ "maxUnavailable": 1 }), healthy_status(2, 1));
    all["spec"]["selector"] = json!({});
    objects.push(all.clone());
    assert!(codes(objects.clone()).is_empty());
    all["apiVersion"] = json!("policy/v1beta1");
    objects.pop();
    objects.push(all);
    assert_eq!(codes(objects).iter().map(|f| f.0).collect::<Vec<_>>(), ["pdb-missing"]);
}

#[test]
fn unreadable_budgets_are_not_checked() {
    let mut snap = snapshot(unguarded("web", 3));
    snap.disruption_budgets = Err("forbidden".into());
    let report = diagnose(&snap, Some("shop"));
    assert!(report.statefulsets[0].findings.iter().all(|f| !f.code.starts_with("pdb-")));
    assert!(report.summary.unchecked.contains(&"pdb-missing"), "{:?}", report.summary.unchecked);
}

#[test]
fn the_suggested_selector_is_one_shell_word() {
    let mut objects = unguarded("web", 3);
    let expr = json!({ "spec": { "selector": { "matchExpressions": [{ "key": "tier", "operator": "In", "values": ["db"] }] } } });
    patch(&mut objects, "StatefulSet", "web", expr);
    let snap = snapshot(objects);
    let f = findings(&snap, &snap.statefulsets[0]).into_iter().find(|f| f.code == "pdb-missing").unwrap();
    assert_eq!(
        f.suggestion.as_deref(),
        Some("kubectl -n shop create poddisruptionbudget web --selector='app=web,tier in (db)' --max-unavailable=1")
    );
}
