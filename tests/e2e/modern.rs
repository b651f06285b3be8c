//! Issue 13.4: every feature that existed only as JSON fixtures in unit tests, against the real
//! controllers. Each test runs on both servers and asserts what each does: v1.37 has the field,
//! v1.20 drops it (an API server prunes fields it does not know) and behaves as without it.
//! Here: spec.ordinals.start with the pod-index label, the claim retention policy, and the
//! kubelet's status writes in managedFields. Rollout features: `modern_rollout.rs`.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::DeleteParams;
use serde_json::{Value, json};

use crate::support::objects::sts;
use crate::support::{Env, assert_exit, env, eventually, json, lost, stdout};

const NEW: &str = "registry.example/app:2";
/// The label the StatefulSet controller puts on each pod since 1.28 (PodIndexLabel).
const POD_INDEX: &str = "apps.kubernetes.io/pod-index";

fn names<'a>(doc: &'a Value, list: &str, key: &str) -> Vec<&'a str> {
    doc[list].as_array().unwrap().iter().map(|r| r[key].as_str().unwrap()).collect()
}

fn flags<'a>(doc: &'a Value, claim: &str) -> Vec<&'a Value> {
    let row = doc["claims"].as_array().unwrap().iter().find(|r| r["claim"] == claim);
    row.unwrap_or_else(|| panic!("no {claim} in {doc}"))["flags"].as_array().unwrap().iter().collect()
}

async fn claim_names(env: &Env) -> Vec<String> {
    let list = env.api::<PersistentVolumeClaim>().list(&Default::default()).await.expect("list claims");
    let mut names: Vec<String> = list.items.into_iter().filter_map(|c| c.metadata.name).collect();
    names.sort();
    names
}

async fn wait_claims(env: &Env, want: &[&str]) {
    eventually(&format!("exactly the claims {want:?}"), Duration::from_secs(90), || async {
        (claim_names(env).await == want).then_some(())
    })
    .await;
}

/// spec.ordinals.start 10 with partition 2. v1.37 (the field is GA since 1.31): pods web-10..12,
/// each labelled with its ordinal as pod-index; the partition counts by index, so the real
/// controller updates web-12 only; raising the start to 11 removes web-10 and leaves its claim
/// below the start, which no scale-up ever reuses. v1.20: the server drops the field, the pods
/// are web-0..2 without a pod-index label, the partition updates web-2, raising the start is a
/// no-op.
#[tokio::test(flavor = "multi_thread")]
async fn ordinals_start_counts_the_partition_by_index_and_strands_claims_below_it() {
    let Some(env) = env("modern-start").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    let modern = env.server_minor().await >= 31;
    env.create_sts(&sts("web", 3).partition(2).with(json!({ "ordinals": { "start": 10 } }))).await;
    let first = if modern { 10 } else { 0 };
    let pods: Vec<String> = (first..first + 3).map(|o| format!("web-{o}")).collect();
    let pods: Vec<&str> = pods.iter().map(String::as_str).collect();
    env.wait_ready("web", 3).await;
    env.wait_pods(&pods).await;
    let stored = env.api::<StatefulSet>().get("web").await.expect("get statefulset");
    assert_eq!(stored.spec.unwrap().ordinals.and_then(|o| o.start), modern.then_some(10), "the stored spec");

    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(
        (doc["statefulset"]["ordinalsStart"].as_i64(), doc["statefulset"]["ordinalsEnd"].as_i64()),
        (Some(first), Some(first + 3))
    );
    assert_eq!(names(&doc, "ordinals", "pod"), pods);
    // The product names ordinals by the pod name; v1.37's pod-index label agrees with it.
    for row in doc["ordinals"].as_array().unwrap() {
        let pod = env.api::<Pod>().get(row["pod"].as_str().unwrap()).await.expect("get pod");
        let label = pod.metadata.labels.unwrap_or_default().get(POD_INDEX).cloned();
        let want = env.server_minor().await.ge(&28).then(|| row["ordinal"].to_string());
        assert_eq!(label, want, "{POD_INDEX} of {}", row["pod"]);
    }

    let update = env.set_image("web", NEW).await.update;
    env.wait_pod(pods[2], "updated and Ready", |p| p.revision == update && p.ready).await;
    env.wait_status("web", "1 updated, 3 ready", |s| (s.updated_replicas, s.ready_replicas) == (Some(1), Some(3)))
        .await;
    for pod in &pods[..2] {
        let view = env.pod_view(pod).await.expect("pod");
        assert_ne!(view.revision, update, "{pod} is below the partition (by index)");
    }
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "PartitionComplete", "{doc}");
    assert_eq!(doc["statefulset"]["ordinalsStart"], first);
    assert_eq!(doc["statefulset"]["firstUpdatedOrdinal"], first + 2, "{doc}");
    let rows: Vec<(i64, i64, &str)> = doc["ordinals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ordinal"].as_i64().unwrap(), r["index"].as_i64().unwrap(), r["wants"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(first, 0, "Current"), (first + 1, 1, "Current"), (first + 2, 2, "Update")]);
    let by_index = "the partition counts pods by index from ordinals.start 10: partition 2 updates ordinals 12 and \
                    up, not 2 and up (kubernetes/kubernetes#128529)";
    let notes: Vec<&str> = doc["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(notes.contains(&by_index), modern, "{notes:?}");
    let out = env.run(&["rollout", "web"]).await;
    assert_exit(&out, 0);
    let header = format!("RollingUpdate partition 2 (updates ordinals {} and up)", first + 2);
    assert!(stdout(&out).contains(&header), "{}", stdout(&out));

    // Raising the start: v1.37 creates web-13 and removes web-10 (its claim stays, Retain).
    let generation = env.api::<StatefulSet>().get("web").await.expect("get statefulset").metadata.generation;
    env.patch_sts("web", json!({ "spec": { "ordinals": { "start": 11 } } })).await;
    if modern {
        env.wait_pods(&["web-11", "web-12", "web-13"]).await;
        env.wait_ready("web", 3).await;
    } else {
        // v1.20 drops the field: the patch changes nothing, not even the generation.
        let s = env.api::<StatefulSet>().get("web").await.expect("get statefulset");
        assert_eq!(s.metadata.generation, generation, "v1.20 stores no ordinals");
        env.wait_pods(&pods).await;
    }
    // data-web-10 is no pod's claim any more once web-10 is gone (v1.37 marks it Unused).
    env.wait_claims_settled(if modern { &["data-web-10"] } else { &[] }).await;
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let reclaim = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    if modern {
        assert_eq!(doc["statefulset"]["ordinalsStart"], 11);
        let orphan = flags(&doc, "data-web-10");
        assert_eq!(orphan.len(), 1, "{orphan:?}");
        let message = orphan[0]["message"].as_str().unwrap();
        assert_eq!(orphan[0]["kind"], "orphan");
        assert!(
            message.contains(
                "below spec.ordinals.start 11: no scale-up ever reuses it (ordinals count up from the start)"
            ),
            "{message}"
        );
        assert_eq!(names(&reclaim, "candidates", "claim"), ["data-web-10"], "{reclaim}");
        let text = stdout(&env.run(&["reclaim", "web"]).await);
        assert!(text.contains("below spec.ordinals.start"), "the plan says why: {text}");
    } else {
        let outside: Vec<&Value> = doc["claims"].as_array().unwrap().iter().filter(|r| r["inRange"] == false).collect();
        assert!(outside.is_empty(), "{outside:?}");
        assert!(reclaim["candidates"].as_array().unwrap().is_empty(), "{reclaim}");
    }
}

/// whenScaled and whenDeleted Delete. v1.37: the controller makes each claim owned by the
/// StatefulSet (and, on scale-down, by the condemned pod), the garbage collector deletes the
/// claims of removed ordinals and, after the StatefulSet is deleted, all of them: nothing is ever
/// an orphan for `claims`, `doctor` or `reclaim`; the headers show the policy. v1.20 drops the
/// policy: the headers say Retain/Retain (server default), scale-down leaves orphans and a
/// deletion leaves every claim.
#[tokio::test(flavor = "multi_thread")]
async fn a_delete_retention_policy_leaves_no_orphans() {
    let Some(env) = env("modern-retention").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    let modern = env.server_minor().await >= 27;
    let policy = json!({ "persistentVolumeClaimRetentionPolicy": { "whenDeleted": "Delete", "whenScaled": "Delete" } });
    env.create_sts(&sts("web", 3).parallel().with(policy)).await;
    env.wait_ready("web", 3).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-2"]).await;
    env.wait_claims_settled(&[]).await;

    let header = if modern {
        "claim retention: whenDeleted=Delete whenScaled=Delete\n"
    } else {
        "claim retention: whenDeleted=Retain whenScaled=Retain (server default)\n"
    };
    let text = stdout(&env.run(&["claims", "web"]).await);
    assert!(text.contains(header), "{text}");
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    assert_eq!(doc["statefulset"]["retentionFieldPresent"], modern);
    let owners = &doc["claims"][0]["owners"];
    assert_eq!(owners, &if modern { json!(["StatefulSet web"]) } else { json!([]) }, "{doc}");
    assert_eq!(doc["claims"][0]["ownership"], if modern { "OwnerReference" } else { "Labels" });

    env.scale("web", 1).await;
    env.wait_ready("web", 1).await;
    env.wait_pods(&["web-0"]).await;
    let left: &[&str] = if modern { &["data-web-0"] } else { &["data-web-0", "data-web-1", "data-web-2"] };
    wait_claims(&env, left).await;
    env.wait_claims_settled(&[]).await;

    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    assert_eq!(names(&doc, "claims", "claim"), left);
    let orphans: Vec<&str> = doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "orphan"))
        .map(|r| r["claim"].as_str().unwrap())
        .collect();
    let doctor = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    let findings = doctor["statefulsets"][0]["findings"].as_array().unwrap_or_else(|| panic!("{doctor}"));
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    let reclaim = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    let text = stdout(&env.run(&["reclaim", "web"]).await);
    assert!(text.contains(header.trim_end()), "{text}");
    if modern {
        assert!(orphans.is_empty(), "{doc}");
        assert!(!codes.contains(&"claims-orphaned"), "{doctor}");
        assert!(reclaim["candidates"].as_array().unwrap().is_empty(), "{reclaim}");
    } else {
        assert_eq!(orphans, ["data-web-1", "data-web-2"]);
        assert!(codes.contains(&"claims-orphaned"), "{doctor}");
        assert_eq!(names(&reclaim, "candidates", "claim"), ["data-web-1", "data-web-2"]);
    }

    // Deleting the StatefulSet: v1.37's garbage collector deletes data-web-0 after web-0.
    env.api::<StatefulSet>().delete("web", &DeleteParams::default()).await.expect("delete statefulset");
    env.wait_pods(&[]).await;
    wait_claims(&env, if modern { &[] } else { left }).await;
    let doc = json(&env.run(&["reclaim", "--deleted", "-o", "json"]).await);
    let want: &[&str] = if modern { &[] } else { left };
    assert_eq!(names(&doc, "candidates", "claim"), want, "{doc}");
}

/// The simulated kubelet writes pod status as field manager `kubelet`. v1.37 records the write
/// on the `status` subresource (managedFields carry `subresource` since 1.22); v1.20 records it
/// without one. Either way force-delete's status-silent check reads the entry's time as the
/// kubelet's last write (`podStatus.kubeletWrote`) and, the node lost after it, passes.
#[tokio::test(flavor = "multi_thread")]
async fn the_kubelets_status_writes_are_read_from_managed_fields() {
    let Some((env, kubelet)) = crate::force_delete::two_pods("modern-kubelet-writes").await else { return };
    let pod = env.api::<Pod>().get("web-1").await.expect("get pod");
    let fields = pod.metadata.managed_fields.unwrap_or_default();
    let entry = fields.iter().find(|m| m.manager.as_deref() == Some("kubelet")).unwrap_or_else(|| panic!("{fields:?}"));
    assert_eq!(entry.operation.as_deref(), Some("Update"));
    let subresource = (env.server_minor().await >= 22).then_some("status");
    assert_eq!(entry.subresource.as_deref(), subresource, "{entry:?}");
    let wrote = entry.time.as_ref().expect("time").0;

    kubelet.lose_node("n2").await;
    // A strong signal that pod GC does not act on, so that the dry run passes.
    kubelet.taint("n2", "node.cloudprovider.kubernetes.io/shutdown", "NoSchedule", Duration::ZERO).await;
    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let status = &doc["evidence"]["podStatus"];
    assert_eq!(status["managedFields"], true, "{status}");
    let read: jiff::Timestamp = status["kubeletWrote"].as_str().unwrap_or_else(|| panic!("{status}")).parse().unwrap();
    assert_eq!(read, wrote, "the time of the kubelet's entry");
    let silent = doc["checks"].as_array().unwrap().iter().find(|c| c["name"] == "status-silent").expect("check");
    assert_eq!(silent["ok"], true, "{silent}");
    assert!(silent["detail"].as_str().unwrap().contains("(managedFields)"), "{silent}");
}

/// whenScaled Delete, scaled 3 -> 2 while web-2's node does not finish its deletion. v1.37: the
/// controller made data-web-2 owned by web-2, so the garbage collector deletes it with the pod:
/// `claims` says so (info, not an orphan), `doctor` has no claim finding, `reclaim` skips it.
/// v1.20 drops the policy: the claim has no owner and is an orphan left by scale-down.
#[tokio::test(flavor = "multi_thread")]
async fn a_claim_deleted_with_its_condemned_pod_is_no_orphan() {
    let Some(env) = env("modern-retention-window").await else { return };
    let kubelet = env.kubelet(&["n1", "n2", "n3"]).await;
    let modern = env.server_minor().await >= 27;
    let policy = json!({ "persistentVolumeClaimRetentionPolicy": { "whenDeleted": "Retain", "whenScaled": "Delete" } });
    env.create_sts_spread(&kubelet, &sts("web", 3).with(policy)).await;
    env.wait_ready("web", 3).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-2"]).await;
    kubelet.freeze("n3");
    env.scale("web", 2).await;
    env.wait_pod("web-2", "terminating", |p| p.terminating).await;
    env.wait_claims_settled(&[]).await;
    let claim = env.api::<PersistentVolumeClaim>().get("data-web-2").await.expect("get claim");
    let owners: Vec<String> = claim
        .metadata
        .owner_references
        .unwrap_or_default()
        .into_iter()
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect();
    assert_eq!(owners, if modern { vec!["Pod web-2".to_string()] } else { vec![] });

    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let flag = flags(&doc, "data-web-2");
    let text = stdout(&env.run(&["claims", "web"]).await);
    let doctor = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    let findings = doctor["statefulsets"][0]["findings"].as_array().unwrap_or_else(|| panic!("{doctor}"));
    let about: Vec<&str> =
        findings.iter().filter(|f| f["subject"] == "data-web-2").map(|f| f["code"].as_str().unwrap()).collect();
    let reclaim = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    let skipped: Vec<&str> =
        reclaim["skipped"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    if modern {
        assert_eq!(
            (flag.len(), flag[0]["kind"].as_str(), flag[0]["severity"].as_str()),
            (1, Some("deleted-with-pod"), Some("info")),
            "{flag:?}"
        );
        assert!(text.contains("\n2 (deleting) "), "{text}");
        assert!(
            text.contains("data-web-2: info: deleted with its pod: ordinal 2 is outside [0, 2); owned by pod web-2"),
            "{text}"
        );
        assert!(about.is_empty(), "{findings:?}");
        assert_eq!(skipped, ["garbage-collected"], "{reclaim}");
    } else {
        assert_eq!(flag[0]["kind"], "orphan", "{flag:?}");
        assert!(text.contains("\n2 (orphan) "), "{text}");
        // No owner: nothing deletes it; reclaim refuses while the scale-down is under way.
        assert!(!skipped.contains(&"garbage-collected"), "{reclaim}");
    }
}
