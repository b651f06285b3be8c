use std::time::Duration;

use serde_json::Value;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{assert_exit, env, json, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn doctor_reports_findings_and_exit_code_reflects_the_worst() {
    let Some(env) = env("doctor").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;

    // An empty namespace first.
    let out = env.run(&["doctor"]).await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("no StatefulSets in namespace {}\n", env.ns));

    // db-1 and web-1 on n2, the others on n1.
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("db", 2)).await;
    kubelet.place(&[("db-0", "n1"), ("db-1", "n2")]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 3).no_service()).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2"), ("web-2", "n1")]).await;
    env.wait_ready("db", 2).await;
    env.wait_ready("web", 3).await;

    // Only a missing service: warnings exit 6. The bare command is doctor.
    let out = env.run(&[]).await;
    assert_exit(&out, 6);

    env.scale("web", 2).await;
    env.wait_ready("web", 2).await;
    env.wait_pods(&["db-0", "db-1", "web-0", "web-1"]).await;
    kubelet.lose_node("n2").await;
    // READY is the controller's status: wait until it has seen db-1 and web-1 not Ready.
    env.wait_controller_sees_ready("db", 1).await;
    env.wait_controller_sees_ready("web", 1).await;

    let out = env.run(&["doctor"]).await;
    assert_exit(&out, 7);
    crate::server_snapshot!(env, "doctor_findings", normalize(&stdout(&out), &env.ns));

    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    let doc = json(&out);
    assert_eq!(doc["kind"], "Doctor");
    assert_eq!(doc["summary"]["worst"], "error");
    assert_eq!(doc["summary"]["statefulsets"], 2);
    let web = doc["statefulsets"].as_array().unwrap().iter().find(|s| s["name"] == "web").unwrap();
    let codes: Vec<&str> = web["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(
        codes.contains(&"pod-on-lost-node") && codes.contains(&"claims-orphaned") && codes.contains(&"service-missing"),
        "{codes:?}"
    );

    // One StatefulSet only.
    let out = env.run(&["doctor", "db", "-o", "json"]).await;
    assert_exit(&out, 7);
    let doc = json(&out);
    assert_eq!(doc["summary"]["statefulsets"], 1);
    assert_eq!(doc["statefulsets"][0]["name"], "db");
    assert_eq!(doc["statefulsets"][0]["findings"][0]["code"], "pod-on-lost-node", "db-1 is on n2: {doc}");

    // All namespaces: ours is among them.
    let out = env.run(&["doctor", "-A", "-o", "json"]).await;
    assert_exit(&out, 7);
    let doc = json(&out);
    assert!(
        doc["statefulsets"].as_array().unwrap().iter().any(|s| s["namespace"] == env.ns.as_str() && s["name"] == "web")
    );
    assert_eq!(doc["namespace"], Value::Null);
}

/// A pod that ended Succeeded (as after a node shutdown): the 1.20 controller recreates only
/// Failed pods, so the replica stays down, and doctor must say so rather than report nothing;
/// since 1.29 (kubernetes#121389) the controller recreates it, and doctor has nothing to say.
#[tokio::test(flavor = "multi_thread")]
async fn a_succeeded_pod_is_replaced_or_not_as_this_servers_controller_does_and_doctor_says_so() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Patch, PatchParams};

    let Some(env) = env("doctor-succeeded").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;
    // Its replacement (since 1.29) goes to n1.
    kubelet.cordon("n2").await;
    let pods = env.api::<Pod>();
    let uid = pods.get("web-1").await.unwrap().metadata.uid;
    let status = serde_json::json!({ "status": { "phase": "Succeeded", "conditions": [
        { "type": "Ready", "status": "False", "reason": "PodCompleted" }] } });
    pods.patch_status("web-1", &PatchParams::default(), &Patch::Merge(&status)).await.expect("pod status");
    if env.server_minor().await >= 29 {
        env.wait_replaced("web-1", uid.as_deref().unwrap()).await;
        env.wait_ready("web", 2).await;
        let out = env.run(&["doctor", "-o", "json"]).await;
        let doc = json(&out);
        let findings = doc["statefulsets"][0]["findings"].as_array().unwrap();
        assert!(!findings.iter().any(|f| f["code"] == "pod-failed"), "{doc}");
        return;
    }
    // Give the controller several syncs to (not) replace it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(pods.get("web-1").await.unwrap().metadata.uid, uid, "the 1.20 controller does not recreate it");

    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 6);
    let doc = json(&out);
    let findings = doc["statefulsets"][0]["findings"].as_array().unwrap();
    let failed = findings.iter().find(|f| f["code"] == "pod-failed").unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(failed["subject"], "web-1");
    assert!(failed["message"].as_str().unwrap().contains("stays Succeeded until it is deleted"), "{failed}");
}

/// A user with namespaced read rights only cannot read Nodes, Leases or PVs: a pod on a lost node
/// cannot be detected (the pod only looks not Ready). The exit code still follows the findings,
/// but the report says it is incomplete and which checks it could not make.
#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_scoped_user_gets_an_incomplete_report_that_says_so() {
    use crate::support::eventually;

    let Some(env) = env("doctor-incomplete").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    // Tolerating the lost node forever, web-1 stays Running, not Ready (not evicted).
    env.create_sts_spread(&kubelet, &sts("web", 2).tolerate_lost_node()).await;
    env.wait_ready("web", 2).await;
    env.grant_viewer_rules(
        "viewer-doctor",
        "- apiGroups: [apps]\n  resources: [statefulsets, controllerrevisions]\n  verbs: [get, list]\n\
         - apiGroups: [\"\"]\n  resources: [pods, persistentvolumeclaims, services, events]\n  verbs: [get, list]\n",
    )
    .await;
    let viewer = env.viewer_kubeconfig();
    kubelet.lose_node("n2").await;

    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    let doc = eventually("the viewer's role to apply", Duration::from_secs(10), || async {
        let out = env.run_as(&viewer, &["doctor", "-o", "json"]).await;
        (out.status.code() == Some(6)).then(|| json(&out))
    })
    .await;
    let summary = &doc["summary"];
    assert_eq!((summary["incomplete"].as_bool(), summary["worst"].as_str()), (Some(true), Some("warning")), "{doc}");
    let parts: Vec<&str> =
        summary["unavailable"].as_array().unwrap().iter().map(|u| u["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["nodes", "leases", "volumes", "autoscalers", "poddisruptionbudgets"], "{doc}");
    assert!(summary["unavailable"][0]["reason"].as_str().unwrap().contains("nodes"), "{doc}");
    assert_eq!(summary["unchecked"][0], "pod-on-lost-node", "{doc}");

    let out = env.run_as(&viewer, &["doctor"]).await;
    assert_exit(&out, 6);
    assert!(
        stdout(&out).contains(
            "1 statefulset(s): 0 error(s), 1 warning(s), 0 info; incomplete: nodes, leases, volumes, \
             autoscalers and poddisruptionbudgets unreadable, not checked: pod-on-lost-node, \
             claim-pinned-to-lost-node, replicas-in-one-zone, pdb-missing, pdb-overlapping, pdb-forbids-all, pdb-no-disruptions-allowed, \
             pdb-covers-other-pods, pdb-unhealthy-pod-blocks\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = env.run_as(&viewer, &["ordinals", "web", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["unavailable"][0]["part"], "nodes", "{doc}");
}

/// A Role granting `get` on one StatefulSet (resourceNames) but no `list`: `doctor web` still
/// works; the neighbours it would compare claim names with are reported unreadable, and claims
/// outside the range are not called reclaimable without them.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_name_with_get_on_that_statefulset_only() {
    use crate::support::eventually;

    let Some(env) = env("doctor-get-only").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 1)).await;
    env.wait_ready("web", 1).await;
    env.grant_viewer_rules(
        "viewer-web",
        "- apiGroups: [apps]\n  resources: [controllerrevisions]\n  verbs: [get, list]\n\
         - apiGroups: [apps]\n  resources: [statefulsets]\n  resourceNames: [web]\n  verbs: [get]\n\
         - apiGroups: [\"\"]\n  resources: [pods, persistentvolumeclaims, services, events]\n  verbs: [get, list]\n",
    )
    .await;
    let viewer = env.viewer_kubeconfig();
    let doc = eventually("the viewer's role to apply", Duration::from_secs(10), || async {
        let out = env.run_as(&viewer, &["doctor", "web", "-o", "json"]).await;
        (out.status.code() != Some(1)).then(|| json(&out))
    })
    .await;
    let parts: Vec<&str> =
        doc["summary"]["unavailable"].as_array().unwrap().iter().map(|u| u["part"].as_str().unwrap()).collect();
    assert!(parts.contains(&"statefulsets"), "{doc}");
    assert_eq!(doc["statefulsets"][0]["name"], "web", "{doc}");
}

/// A Node deleted while its kubelet still renews the Lease (here: just deleted, the Lease renewed
/// seconds ago) is not lost: ordinals and doctor do not point to force-delete, which refuses a
/// fresh Lease. Once the Lease is stale, all three agree the node is lost.
#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_node_whose_lease_is_fresh_is_not_lost() {
    let Some(env) = env("doctor-deleted-fresh-lease").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;
    // Quickly, while the Lease is fresh (10s) and before pod GC removes the orphaned pod (40s).
    kubelet.delete_node("n2").await;

    let json = |out: &std::process::Output| -> Value { serde_json::from_slice(&out.stdout).unwrap() };
    let web_1 = |doc: &Value| doc["ordinals"].as_array().unwrap().iter().find(|o| o["pod"] == "web-1").unwrap().clone();
    let codes = |doc: &Value| -> Vec<String> {
        let findings = doc["statefulsets"][0]["findings"].as_array().unwrap();
        findings.iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
    };
    let row = web_1(&json(&env.run(&["ordinals", "web", "-o", "json"]).await));
    let health = &row["nodeHealth"];
    assert_eq!((health["state"].as_str(), health["suspectLost"].as_bool()), (Some("Deleted"), Some(false)), "{row}");
    assert_eq!(health["leaseStale"], false, "{row}");
    assert_eq!((row["issue"].as_str(), row["suggestion"].as_str()), (None, None), "{row}");
    let text = stdout(&env.run(&["ordinals", "web"]).await);
    assert!(text.contains("Deleted, but its kubelet still renews its Lease (renewed "), "{text}");
    assert!(!text.contains("force-delete"), "{text}");
    let doc = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    assert!(!codes(&doc).contains(&"pod-on-lost-node".to_string()), "{doc}");
    let out = env.run(&["force-delete", "web-1", "--dry-run", "-o", "json"]).await;
    assert_exit(&out, 3);
    let lease = json(&out)["checks"].as_array().unwrap().iter().find(|c| c["name"] == "lease-stale").unwrap().clone();
    assert_eq!(lease["ok"], false, "{lease}");

    // The Lease went stale long ago (and web-1 last started before that): lost, for all of them.
    kubelet.stale_lease("n2", Duration::from_secs(600)).await;
    kubelet.started_before("n2", Duration::from_secs(600)).await;
    let row = web_1(&json(&env.run(&["ordinals", "web", "-o", "json"]).await));
    assert_eq!(row["nodeHealth"]["suspectLost"], true, "{row}");
    assert_eq!(row["issue"], "node-lost", "{row}");
    assert!(row["why"].as_str().unwrap().contains("looks lost (Deleted, lease 10m old)"), "{row}");
    let out = env.run(&["doctor", "web", "-o", "json"]).await;
    assert_exit(&out, 7);
    assert!(codes(&json(&out)).contains(&"pod-on-lost-node".to_string()), "{}", stdout(&out));
    let out = env.run(&["force-delete", "web-1", "--dry-run", "-o", "json"]).await;
    assert_exit(&out, 0);
}

/// doctor points to reclaim only for the claims reclaim would delete: those a pod mounts (a
/// backup, a finished Job's pod) or that someone else created are kept, each with reclaim's
/// reason, in `doctor` as in `doctor NAME`.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_points_to_reclaim_only_for_the_claims_it_deletes() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Patch, PatchParams};
    use serde_json::json;

    let Some(env) = env("doctor-reclaim").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    // Made by hand ahead of the scale-up (a restore, say), named and labelled like web's.
    env.create_claim("data-web-3", "1Gi", json!({ "app": "web" }), None).await;
    env.create_sts(&sts("web", 5).parallel()).await;
    env.wait_ready("web", 5).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-2", "data-web-3", "data-web-4"]).await;
    env.scale("web", 1).await;
    env.wait_ready("web", 1).await;
    env.wait_pods(&["web-0"]).await;
    env.wait_status("web", "replicas 1", |s| s.replicas == 1).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_pod_mounting("backup", &["data-web-2"]).await;
    kubelet.place(&[("backup", "n1")]).await;
    kubelet.schedule_only_on(&["n2"]).await;
    env.create_pod_mounting("backup-job-x1", &["data-web-4"]).await;
    kubelet.place(&[("backup-job-x1", "n2")]).await;
    env.wait_pods(&["web-0", "backup", "backup-job-x1"]).await;
    // The Job's pod finished: its kubelet reports it Succeeded, and it stays.
    kubelet.freeze("n2");
    let done = json!({ "status": { "phase": "Succeeded", "conditions": [
        { "type": "Ready", "status": "False", "reason": "PodCompleted" }] } });
    env.api::<Pod>()
        .patch_status("backup-job-x1", &PatchParams::default(), &Patch::Merge(&done))
        .await
        .expect("status");

    let reclaim: Value = serde_json::from_slice(&env.run(&["reclaim", "web", "-o", "json"]).await.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = reclaim["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["claim"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("data-web-2", "in-use"), ("data-web-3", "not-controller-made"), ("data-web-4", "in-use")]);
    assert_eq!(reclaim["candidates"][0]["claim"], "data-web-1", "{reclaim}");

    for args in [&["doctor", "-o", "json"][..], &["doctor", "web", "-o", "json"]] {
        let out = env.run(args).await;
        assert_exit(&out, 6);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings = doc["statefulsets"][0]["findings"].as_array().unwrap();
        let of = |code: &str| findings.iter().filter(|f| f["code"] == code).collect::<Vec<_>>();
        let orphaned = of("claims-orphaned");
        assert_eq!(orphaned.len(), 1, "{args:?}: {doc}");
        assert_eq!(orphaned[0]["message"], "1 claim(s) left by scale-down, which reclaim would delete: data-web-1");
        assert_eq!(orphaned[0]["suggestion"], format!("kubectl sts-doctor -n {} reclaim web", env.ns));
        let kept: Vec<(&str, &str)> = of("claim-orphan-kept")
            .iter()
            .map(|f| (f["subject"].as_str().unwrap(), f["message"].as_str().unwrap()))
            .collect();
        assert_eq!(kept.len(), 3, "{args:?}: {doc}");
        assert!(
            kept[0].1.starts_with("data-web-2: outside [0, 1), but reclaim keeps it (in-use): used by pod backup"),
            "{kept:?}"
        );
        assert!(kept[1].1.contains("(not-controller-made): created by "), "{kept:?}");
        assert!(kept[2].1.contains("(in-use): referenced by finished pod backup-job-x1 (Succeeded)"), "{kept:?}");
        let reclaim_hints =
            findings.iter().filter(|f| f["suggestion"].as_str().is_some_and(|s| s.contains(" reclaim ")));
        assert_eq!(reclaim_hints.count(), 1, "{args:?}: {doc}");
    }
}

/// A status-only partition: the node controller marks n2 Unknown (8m) and db-1 not Ready, while
/// n2's kubelet still renews its Lease. doctor's finding about db-1 says so, as `ordinals` shows it.
#[tokio::test(flavor = "multi_thread")]
async fn a_pod_finding_tells_its_nodes_story() {
    let Some(env) = env("doctor-node-story").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("db", 2)).await;
    env.wait_ready("db", 2).await;
    kubelet.flap_node("n2", Duration::from_secs(480)).await;
    let controller =
        kube::api::PatchParams { field_manager: Some("kube-controller-manager".into()), ..Default::default() };
    let not_ready = serde_json::json!({ "status": { "conditions": [{ "type": "Ready", "status": "False", "reason": "NodeLost" }] } });
    env.api::<k8s_openapi::api::core::v1::Pod>()
        .patch_status("db-1", &controller, &kube::api::Patch::Merge(&not_ready))
        .await
        .expect("mark db-1 not Ready");

    let out = env.run(&["doctor", "db", "-o", "json"]).await;
    let doc = json(&out);
    let findings = doc["statefulsets"][0]["findings"].as_array().unwrap();
    let db_1 = findings.iter().find(|f| f["subject"] == "db-1").unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(db_1["code"], "pod-not-ready", "{db_1}");
    let message = db_1["message"].as_str().unwrap();
    // "8m" or "8m1s": the age is read a moment after the back-dated write.
    let story = format!("; its node {} is Unknown 8m", kubelet.node("n2"));
    assert!(
        message.contains(&story)
            && message.contains("but its kubelet still renews its Lease (renewed ")
            && message
                .ends_with("a status-only partition (its kubelet is alive and may still run the pod; not a lost node)"),
        "{message}"
    );
    assert!(!findings.iter().any(|f| f["code"] == "pod-on-lost-node"), "{doc}");
}

/// Many pods Pending for the same reason: one finding naming their ordinals as ranges and counting
/// them, the JSON keeping the list of pods.
#[tokio::test(flavor = "multi_thread")]
async fn alike_pod_findings_fold_into_one() {
    let Some(env) = env("doctor-fold").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    for pod in ["web-1", "web-2", "web-3", "web-5"] {
        kubelet.hold(pod);
    }
    env.create_sts(&sts("web", 6).parallel()).await;
    env.wait_pods(&["web-0", "web-1", "web-2", "web-3", "web-4", "web-5"]).await;
    for pod in ["web-1", "web-2", "web-3", "web-5"] {
        kubelet.wait_held(pod).await;
    }
    env.wait_controller_sees_ready("web", 2).await;

    let out = env.run(&["doctor", "web"]).await;
    assert_exit(&out, 6);
    let text = stdout(&out);
    let n1 = kubelet.node("n1");
    assert!(
        text.contains(&format!("pod-pending: 4 pods (ordinals 1–3, 5): Pending on {n1}: containers not started yet")),
        "{text}"
    );
    assert_eq!(text.matches("pod-pending").count(), 1, "{text}");
    let doc = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    let pending: Vec<&Value> =
        doc["statefulsets"][0]["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "pod-pending").collect();
    assert_eq!(pending.len(), 1, "{doc}");
    assert_eq!(pending[0]["pods"], serde_json::json!(["web-1", "web-2", "web-3", "web-5"]), "{doc}");
}
