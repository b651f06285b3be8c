//! Disruption safety: PodDisruptionBudgets as `doctor` findings, with the real disruption
//! controller filling their status. Budgets are policy/v1 on 1.21+ and policy/v1beta1 on 1.20
//! (the only version it serves), which has no unhealthyPodEvictionPolicy: that check is reported
//! as not checked there.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{Env, assert_exit, env, eventually, json, stdout};

/// The PodDisruptionBudget version this server serves: v1 from 1.21, only v1beta1 before.
async fn pdb_version(env: &Env) -> &'static str {
    if env.server_minor().await >= 21 { "v1" } else { "v1beta1" }
}

async fn pdb_api(env: &Env) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("policy", pdb_version(env).await, "PodDisruptionBudget");
    Api::namespaced_with(env.client.clone(), &env.ns, &ApiResource::from_gvk_with_plural(&gvk, "poddisruptionbudgets"))
}

/// Creates budget `name` over `app=<app>` with `spec` (minAvailable or maxUnavailable), and waits
/// until the disruption controller has computed its status for `expected` pods.
async fn create_pdb(env: &Env, name: &str, app: &str, mut spec: Value, expected: i64) -> Value {
    let api = pdb_api(env).await;
    spec["selector"] = json!({ "matchLabels": { "app": app } });
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": format!("policy/{}", pdb_version(env).await),
        "kind": "PodDisruptionBudget",
        "metadata": { "name": name },
        "spec": spec
    }))
    .unwrap();
    api.create(&PostParams::default(), &object).await.unwrap_or_else(|e| panic!("create pdb {name}: {e}"));
    wait_pdb(env, name, |s| s["expectedPods"] == expected).await
}

/// Waits until budget `name`'s status is computed for its current spec and passes `check`.
async fn wait_pdb(env: &Env, name: &str, check: impl Fn(&Value) -> bool) -> Value {
    let api = pdb_api(env).await;
    eventually(&format!("pdb {name}'s status"), Duration::from_secs(60), || async {
        let pdb = serde_json::to_value(api.get(name).await.ok()?).ok()?;
        let observed = pdb["status"]["observedGeneration"] == pdb["metadata"]["generation"];
        (observed && check(&pdb["status"])).then_some(pdb)
    })
    .await
}

fn codes(doc: &Value) -> Vec<String> {
    doc["statefulsets"][0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().into()).collect()
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["statefulsets"][0]["findings"].as_array().unwrap().iter().find(|f| f["code"] == code).unwrap_or_else(|| {
        panic!("no {code} in {doc}");
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn budgets_that_would_block_a_drain_are_doctor_findings() {
    let Some(env) = env("pdb-findings").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("web", 3)).await;
    env.wait_ready("web", 3).await;

    // No budget over 3 replicas: worth knowing, not a warning. web-0 and web-2 share n1 without
    // anti-affinity: a warning, which says what losing n1 leaves.
    let out = env.run(&["doctor", "web", "-o", "json"]).await;
    assert_exit(&out, 6);
    let doc = json(&out);
    let shared = finding(&doc, "replicas-share-a-node");
    assert_eq!(
        shared["message"],
        format!(
            "web-0, web-2 run on node {} with no pod anti-affinity or topology spread on kubernetes.io/hostname: \
             losing that node takes out 2 of 3 replicas, leaving 1: below a majority (2 of 3): a quorum-based \
             system (etcd, ZooKeeper, Raft) stops",
            kubelet.node("n1")
        )
    );
    assert!(!codes(&doc).iter().any(|c| c == "replicas-in-one-zone"), "no zone labels yet: {doc}");
    // Both nodes in one zone: a zone failure takes all three.
    for n in ["n1", "n2"] {
        let labels = json!({ "metadata": { "labels": { "topology.kubernetes.io/zone": "zone-a" } } });
        env.cluster_api::<Node>()
            .patch(&kubelet.node(n), &PatchParams::default(), &Patch::Merge(&labels))
            .await
            .unwrap();
    }
    let doc = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    let zone = finding(&doc, "replicas-in-one-zone");
    assert!(zone["message"].as_str().unwrap().contains("all 3 running pod(s) are in zone zone-a"), "{zone}");
    assert!(zone["message"].as_str().unwrap().contains("takes out 3 of 3 replicas, leaving 0"), "{zone}");
    let missing = finding(&doc, "pdb-missing");
    assert_eq!(missing["severity"], "info");
    assert_eq!(
        missing["suggestion"],
        format!("kubectl -n {} create poddisruptionbudget web --selector=app=web --max-unavailable=1", env.ns)
    );

    // minAvailable 3 of 3: every eviction refused (disruptionsAllowed 0 says the same: one finding).
    create_pdb(&env, "web-all", "web", json!({ "minAvailable": 3 }), 3).await;
    let out = env.run(&["doctor", "web", "-o", "json"]).await;
    assert_exit(&out, 6);
    let doc = json(&out);
    let pdb_codes: Vec<String> = codes(&doc).into_iter().filter(|c| c.starts_with("pdb-")).collect();
    assert_eq!(pdb_codes, ["pdb-forbids-all"], "{doc}");
    // 1.20 (policy/v1beta1): the unhealthy-pod check is not made, whatever the pods' health.
    let unchecked = if pdb_version(&env).await == "v1" { json!([]) } else { json!(["pdb-unhealthy-pod-blocks"]) };
    assert_eq!(doc["summary"]["unchecked"], unchecked, "{doc}");

    // A second budget over the same pods: the eviction API refuses them all.
    create_pdb(&env, "web-one", "web", json!({ "maxUnavailable": 1 }), 3).await;
    let out = env.run(&["doctor", "web"]).await;
    assert_exit(&out, 7);
    crate::server_snapshot!(env, "doctor_pdb_forbids_all_and_overlapping", normalize(&stdout(&out), &env.ns));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_disruption_allowed_says_why_and_unhealthy_pods_under_if_healthy_budget() {
    let Some(env) = env("pdb-unhealthy").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.break_image("registry.example/broken:1");
    env.create_sts(&sts("db", 2).parallel().image("registry.example/broken:1")).await;
    env.wait_pods(&["db-0", "db-1"]).await;
    let pods = env.api::<Pod>();
    eventually("db-0 and db-1 Running, crash-looping", Duration::from_secs(60), || async {
        let list = pods.list(&Default::default()).await.ok()?;
        let running =
            list.items.iter().filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")).count();
        (running == 2).then_some(())
    })
    .await;
    create_pdb(&env, "db", "db", json!({ "maxUnavailable": 1 }), 2).await;
    wait_pdb(&env, "db", |s| s["currentHealthy"] == 0 && s["desiredHealthy"] == 1).await;

    let out = env.run(&["doctor", "db", "-o", "json"]).await;
    let doc = json(&out);
    let none = finding(&doc, "pdb-no-disruptions-allowed");
    assert_eq!((none["severity"].as_str(), none["subject"].as_str()), (Some("warning"), Some("db")), "{none}");
    let message = none["message"].as_str().unwrap();
    assert!(
        message.contains("0 of 2 expected pod(s) healthy, 1 needed (maxUnavailable 1); not healthy: db-0, db-1"),
        "{message}"
    );
    let minor = env.server_minor().await;
    if minor >= 21 {
        // policy/v1: unset means IfHealthyBudget; the crash-looping pods cannot be evicted.
        let blocks = finding(&doc, "pdb-unhealthy-pod-blocks");
        let message = blocks["message"].as_str().unwrap();
        assert!(message.starts_with("db-0, db-1 Running but not Ready"), "{message}");
        assert!(message.contains("IfHealthyBudget (unset: the default)") && message.contains("AlwaysAllow (1.31+)"));
        assert!(!doc["summary"]["unchecked"].as_array().unwrap().iter().any(|c| c == "pdb-unhealthy-pod-blocks"));

        let patch = json!({ "spec": { "unhealthyPodEvictionPolicy": "AlwaysAllow" } });
        pdb_api(&env).await.patch("db", &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch pdb");
        wait_pdb(&env, "db", |_| true).await;
        let doc = json(&env.run(&["doctor", "db", "-o", "json"]).await);
        let found = codes(&doc);
        assert!(!found.iter().any(|c| c == "pdb-unhealthy-pod-blocks"), "{found:?}");
        assert!(found.iter().any(|c| c == "pdb-no-disruptions-allowed"), "{found:?}");
    } else {
        // policy/v1beta1 has no unhealthyPodEvictionPolicy: not checked, and said so.
        assert!(!codes(&doc).iter().any(|c| c == "pdb-unhealthy-pod-blocks"), "{doc}");
        assert_eq!(doc["summary"]["unchecked"], json!(["pdb-unhealthy-pod-blocks"]), "{doc}");
        let notes = doc["notes"].as_array().unwrap();
        assert!(
            notes.iter().any(|n| n.as_str().unwrap().starts_with(
                "unhealthyPodEvictionPolicy not checked: this server serves PodDisruptionBudgets as policy/v1beta1 only"
            )),
            "{doc}"
        );
    }

    // A budget deleted: none left over 2 replicas.
    pdb_api(&env).await.delete("db", &DeleteParams::default()).await.expect("delete pdb");
    let doc = eventually("the budget to be gone", Duration::from_secs(10), || async {
        let doc = json(&env.run(&["doctor", "db", "-o", "json"]).await);
        codes(&doc).iter().any(|c| c == "pdb-missing").then_some(doc)
    })
    .await;
    assert!(!codes(&doc).iter().any(|c| c.starts_with("pdb-") && c != "pdb-missing"), "{doc}");
}

#[tokio::test(flavor = "multi_thread")]
async fn drain_check_says_whether_a_drain_would_go_through_and_in_what_order() {
    let Some(env) = env("drain-check").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    // web-0 and web-2 on n1, web-1 on n2.
    env.create_sts_spread(&kubelet, &sts("web", 3)).await;
    env.wait_ready("web", 3).await;
    create_pdb(&env, "web", "web", json!({ "maxUnavailable": 1 }), 3).await;
    wait_pdb(&env, "web", |s| s["disruptionsAllowed"] == 1).await;
    let (n1, n2) = (kubelet.node("n1"), kubelet.node("n2"));

    // maxUnavailable 1: web-2 goes now, web-0 once web-2 is Ready elsewhere.
    let out = env.run(&["drain-check", &n1, "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["kind"], "DrainCheck");
    assert_eq!(doc["wouldComplete"], true, "{doc}");
    let pods: Vec<(&str, &str)> = doc["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["pod"].as_str().unwrap(), p["eviction"].as_str().unwrap()))
        .collect();
    assert_eq!(pods, [("web-2", "allowed"), ("web-0", "waits")], "{doc}");
    assert_eq!(doc["statefulsets"][0]["onNode"], json!(["web-0", "web-2"]), "{doc}");
    assert!(
        doc["statefulsets"][0]["message"].as_str().unwrap().contains("below a majority (2 of 3)"),
        "{}",
        doc["statefulsets"][0]["message"]
    );
    let text = stdout(&env.run(&["drain-check", &n1]).await);
    assert!(
        text.starts_with(&format!("a drain of {n1} would go through now (StatefulSets of namespace {}", env.ns)),
        "{text}"
    );
    assert!(text.contains(&format!("kubectl cordon {n1}")), "{text}");
    assert!(text.contains("--pod-selector=statefulset.kubernetes.io/pod-name=web-2"), "{text}");

    // minAvailable 3: every eviction refused, the drain would hang: exit 3.
    let patch = json!({ "spec": { "maxUnavailable": null, "minAvailable": 3 } });
    let api = pdb_api(&env).await;
    if env.server_minor().await >= 21 {
        api.patch("web", &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch pdb");
    } else {
        // policy/v1beta1 PodDisruptionBudget specs are immutable on 1.20: replace it.
        api.delete("web", &DeleteParams::default()).await.expect("delete pdb");
        eventually("pdb web gone", Duration::from_secs(10), || async {
            api.get_opt("web").await.ok()?.is_none().then_some(())
        })
        .await;
        create_pdb(&env, "web", "web", json!({ "minAvailable": 3 }), 3).await;
    }
    wait_pdb(&env, "web", |s| s["disruptionsAllowed"] == 0).await;
    let out = env.run(&["drain-check", &n2, "-A", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["namespace"], Value::Null);
    assert_eq!(doc["pods"][0]["pod"], "web-1", "{doc}");
    assert_eq!(doc["pods"][0]["eviction"], "blocked", "{doc}");
    assert!(doc["pods"][0]["evictionReason"].as_str().unwrap().contains("forbids every eviction"), "{doc}");

    // A node that does not exist: an error, not a clean check.
    let out = env.run(&["drain-check", "no-such-node"]).await;
    assert_exit(&out, 1);
    assert!(crate::support::stderr(&out).contains("not found"), "{}", crate::support::stderr(&out));
}
