//! End-to-end tests of `reclaim`.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::{Value, json};
use sts_doctor::apply::claims::ReclaimOptions;
use sts_doctor::cluster::snapshot::{Scope, Want};
use sts_doctor::reclaim::{ClaimOutcome, PlanOptions};

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{Env, assert_exit, env, eventually, json, stderr, stdout};

fn claims_of<'a>(doc: &'a Value, list: &str) -> Vec<&'a str> {
    doc[list].as_array().unwrap().iter().map(|c| c["claim"].as_str().unwrap()).collect()
}

fn skipped<'a>(doc: &'a Value, claim: &str) -> &'a Value {
    doc["skipped"].as_array().unwrap().iter().find(|s| s["claim"] == claim).unwrap_or_else(|| panic!("{doc}"))
}

/// `web` with `from` Ready replicas and Bound claims, then scaled to `to` and settled.
async fn scaled_down(env: &Env, from: i32, to: i32) {
    env.create_sts(&sts("web", from).parallel()).await;
    env.wait_ready("web", from).await;
    let claims: Vec<String> = (0..from).map(|i| format!("data-web-{i}")).collect();
    env.wait_claims_bound(&claims.iter().map(String::as_str).collect::<Vec<_>>()).await;
    env.scale("web", to).await;
    env.wait_ready("web", to).await;
    let pods: Vec<String> = (0..to).map(|i| format!("web-{i}")).collect();
    env.wait_pods(&pods.iter().map(String::as_str).collect::<Vec<_>>()).await;
}

async fn claim(env: &Env, name: &str) -> Option<PersistentVolumeClaim> {
    env.api::<PersistentVolumeClaim>().get_opt(name).await.expect("get claim")
}

async fn wait_gone(env: &Env, name: &str) {
    eventually(&format!("claim {name} gone"), Duration::from_secs(60), || async {
        claim(env, name).await.is_none().then_some(())
    })
    .await;
}

async fn volume_of(env: &Env, claim_name: &str) -> PersistentVolume {
    let name = claim(env, claim_name).await.and_then(|c| c.spec?.volume_name).expect("bound claim");
    env.cluster_api::<PersistentVolume>().get(&name).await.expect("get PV")
}

fn policy(pv: &PersistentVolume) -> &str {
    pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn scale_down_orphans_are_listed_deleted_and_a_rerun_is_a_no_op() {
    let Some(env) = env("reclaim-scale-down").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 3, 1).await;

    let out = env.run(&["reclaim", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "reclaim_plan", normalize(&stdout(&out), &env.ns));

    let doc = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    assert_eq!((doc["apiVersion"].as_str(), doc["kind"].as_str()), (Some("sts-doctor.io/v1"), Some("Reclaim")));
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1", "data-web-2"]);
    let c = &doc["candidates"][0];
    assert_eq!((c["confidence"].as_str(), c["reclaimPolicy"].as_str()), (Some("high"), Some("Delete")));
    assert_eq!(
        (c["dataFate"].as_str(), c["lastPod"].as_str(), c["size"].as_str()),
        (Some("destroyed"), Some("web-1"), Some("1Gi"))
    );
    assert_eq!((&doc["results"], &doc["action"]), (&Value::Null, &Value::Null), "a plan only: {doc}");

    // Server-side dry run and a declined confirmation change nothing.
    let out = env.run(&["reclaim", "web", "--delete", "--dry-run", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let outcomes: Vec<&str> =
        doc["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["wouldDelete", "wouldDelete"]);
    assert_eq!((doc["action"]["status"].as_str(), doc["action"]["dryRun"].as_bool()), (Some("DryRun"), Some(true)));
    let out = env.run(&["reclaim", "web", "--delete"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("pass --yes to proceed non-interactively"), "{}", stderr(&out));
    // -o json declined: still the one document of the run (the plan, no results), and it says
    // the deletion was not confirmed, so a script reading only the JSON tells it from a plan.
    let out = env.run(&["reclaim", "web", "--delete", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1", "data-web-2"]);
    assert_eq!((doc["delete"].as_bool(), &doc["results"]), (Some(true), &Value::Null));
    assert_eq!(doc["action"]["status"], "Declined", "{doc}");
    assert!(doc["action"]["detail"].as_str().unwrap().contains("no terminal to ask on"), "{doc}");
    for name in ["data-web-1", "data-web-2"] {
        let c = claim(&env, name).await.expect("claim still there");
        assert!(c.metadata.deletion_timestamp.is_none(), "{name} must not be deleting");
    }

    let out = env.run(&["reclaim", "web", "--delete", "--yes"]).await;
    assert_exit(&out, 0);
    let text = normalize(&stdout(&out), &env.ns);
    assert!(text.contains("data-web-1: deleted: PV pv-<uid> has reclaimPolicy Delete"), "{text}");
    assert!(text.contains("\n2 deleted\n"), "{text}");
    wait_gone(&env, "data-web-1").await;
    wait_gone(&env, "data-web-2").await;
    assert!(claim(&env, "data-web-0").await.is_some(), "the in-range claim stays");

    let out = env.run(&["reclaim", "web", "--delete", "--yes", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert!(doc["candidates"].as_array().unwrap().is_empty() && doc["skipped"].as_array().unwrap().is_empty(), "{doc}");
    assert_eq!((&doc["results"], &doc["action"]["status"]), (&json!([]), &json!("NothingToDelete")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_a_backup_pod_mounts_is_skipped() {
    let Some(env) = env("reclaim-backup").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 3, 1).await;
    env.wait_claims_settled(&["data-web-1"]).await;
    env.create_pod_mounting("backup", &["data-web-2"]).await;
    env.wait_pods(&["web-0", "backup"]).await;

    let out = env.run(&["reclaim", "web", "--delete", "--yes", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1"]);
    let skip = skipped(&doc, "data-web-2");
    assert_eq!(skip["kind"], "in-use");
    assert!(skip["reason"].as_str().unwrap().starts_with("used by pod backup ("), "{skip}");
    assert_eq!(claims_of(&doc, "results"), ["data-web-1"]);
    wait_gone(&env, "data-web-1").await;
    let kept = claim(&env, "data-web-2").await.expect("data-web-2 stays");
    assert!(kept.metadata.deletion_timestamp.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn statefulsets_whose_names_prefix_each_other_and_a_deleted_one() {
    let Some(env) = env("reclaim-prefix").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 2).parallel()).await;
    env.create_sts(&sts("web-1", 2).parallel()).await;
    env.wait_ready("web", 2).await;
    env.wait_ready("web-1", 2).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-1-0", "data-web-1-1"]).await;
    env.scale("web", 1).await;
    env.scale("web-1", 1).await;
    env.wait_ready("web", 1).await;
    env.wait_ready("web-1", 1).await;
    env.wait_pods(&["web-0", "web-1-0"]).await;

    let doc = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1"]);
    assert!(doc["skipped"].as_array().unwrap().is_empty(), "{doc}");
    let doc = json(&env.run(&["reclaim", "web-1", "-o", "json"]).await);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1-1"]);
    // Every claim belongs to an existing StatefulSet: nothing for --deleted.
    let doc = json(&env.run(&["reclaim", "--deleted", "-o", "json"]).await);
    assert!(doc["candidates"].as_array().unwrap().is_empty(), "{doc}");

    // --deleted with the name of a StatefulSet that exists is refused.
    let out = env.run(&["reclaim", "--deleted", "web-1"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("run `kubectl sts-doctor reclaim web-1`"), "{}", stderr(&out));

    // Delete web-1 (its pod goes, its claims stay): they become low-confidence candidates of a deleted StatefulSet.
    env.api::<StatefulSet>().delete("web-1", &DeleteParams::background()).await.expect("delete web-1");
    env.wait_pods(&["web-0"]).await;
    env.wait_claims_settled(&["data-web-1-0", "data-web-1-1"]).await;
    let out = env.run(&["reclaim", "--deleted"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "reclaim_deleted", normalize(&stdout(&out), &env.ns));
    let doc = json(&env.run(&["reclaim", "--deleted", "web-1", "-o", "json"]).await);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-1-0", "data-web-1-1"]);
    assert_eq!(doc["candidates"][0]["confidence"], "low");
    assert_eq!(doc["candidates"][0]["statefulset"], "web-1");

    let out = env.run(&["reclaim", "--deleted", "web-1", "--delete", "--yes"]).await;
    assert_exit(&out, 0);
    wait_gone(&env, "data-web-1-0").await;
    wait_gone(&env, "data-web-1-1").await;
    for name in ["data-web-0", "data-web-1"] {
        assert!(claim(&env, name).await.is_some(), "{name} is web's and stays");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mid_scale_is_refused_and_says_what_is_in_flight() {
    let Some(env) = env("reclaim-mid-scale").await else { return };
    let kubelet = env.kubelet(&["n1", "n2", "n3"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 3)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2"), ("web-2", "n3")]).await;
    env.wait_ready("web", 3).await;
    // n3 stops acting: web-2 stays Terminating after the scale-down deletes it.
    kubelet.freeze("n3");
    env.scale("web", 1).await;
    let api = env.api::<k8s_openapi::api::core::v1::Pod>();
    eventually("web-2 terminating", Duration::from_secs(60), || async {
        api.get("web-2").await.ok()?.metadata.deletion_timestamp.map(drop)
    })
    .await;

    let out = env.run(&["reclaim", "web", "--delete", "--yes"]).await;
    assert_exit(&out, 3);
    let err = stderr(&out);
    assert!(err.starts_with("error: StatefulSet web is mid-scale: "), "{err}");
    assert!(err.contains("web-2 (Terminating)") && err.contains("nothing was changed"), "{err}");
    let text = stdout(&out);
    assert!(text.contains("data-web-2: used by pod web-2 (Terminating)"), "{text}");
    for name in ["data-web-1", "data-web-2"] {
        assert!(claim(&env, name).await.unwrap().metadata.deletion_timestamp.is_none());
    }
    let doc = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    assert!(doc["refusal"].as_str().unwrap().contains("status.replicas is"), "{doc}");
    assert!(doc["candidates"].as_array().unwrap().is_empty());
    assert_eq!(doc["action"], Value::Null, "a plan only: {doc}");
    let out = env.run(&["reclaim", "web", "--delete", "--yes", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["action"]["status"], "NotTaken", "{doc}");
    assert!(doc["action"]["detail"].as_str().unwrap().starts_with("refused: StatefulSet web is mid-scale"), "{doc}");
}

/// The README's RBAC manifest, run as its service account: enough to plan, delete and keep volumes.
#[tokio::test(flavor = "multi_thread")]
async fn the_documented_rbac_suffices_and_keep_volume_retains_the_pv() {
    let Some(env) = env("reclaim-rbac").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 3, 1).await;
    let manifest = readme_rbac()
        .replace("namespace: db", &format!("namespace: {}", env.ns))
        .replace("sts-doctor-reclaim-volumes", &format!("sts-doctor-reclaim-volumes-{}", env.ns));
    let cluster_scoped = env.apply_manifest(&manifest).await;
    let kubeconfig = env.service_account_kubeconfig("sts-doctor").await;

    let out = env.run_as(&kubeconfig, &["reclaim", "web", "--delete", "--dry-run", "--keep-volume"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("data-web-1: would delete (dry run)"), "{}", stdout(&out));
    assert_eq!(policy(&volume_of(&env, "data-web-1").await), "Delete", "dry run changes nothing");
    for name in ["data-web-1", "data-web-2"] {
        assert!(claim(&env, name).await.unwrap().metadata.deletion_timestamp.is_none(), "dry run deletes nothing");
    }

    let out = env.run_as(&kubeconfig, &["reclaim", "web", "--delete", "--yes", "--keep-volume", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["results"][0]["outcome"], "deleted");
    let pv_name = doc["candidates"][0]["volume"].as_str().unwrap().to_string();
    assert_eq!(doc["results"][0]["retainedVolume"], pv_name.as_str());
    wait_gone(&env, "data-web-1").await;
    let pvs = env.cluster_api::<PersistentVolume>();
    let pv = eventually("PV Released", Duration::from_secs(60), || async {
        let pv = pvs.get(&pv_name).await.ok()?;
        (pv.status.as_ref()?.phase.as_deref() == Some("Released")).then_some(pv)
    })
    .await;
    assert_eq!(policy(&pv), "Retain");
    env.delete_cluster_scoped(&cluster_scoped).await;
}

/// Without any right on PersistentVolumes the plan still works (policy unknown); --keep-volume is refused.
#[tokio::test(flavor = "multi_thread")]
async fn unreadable_volumes_refuse_keep_volume() {
    let Some(env) = env("reclaim-no-pv").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 2, 1).await;
    // The README's namespaced Role only, bound to the user viewer.
    let role: String = readme_rbac().split("\n---\n").filter(|d| d.contains("kind: Role\n")).collect();
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: viewer-reclaim\n  \
                   namespace: db\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: sts-doctor-reclaim}\n\
                   subjects:\n- {kind: User, name: viewer, apiGroup: rbac.authorization.k8s.io}\n";
    env.apply_manifest(&format!("{role}\n---\n{binding}").replace("namespace: db", &format!("namespace: {}", env.ns)))
        .await;
    let viewer = env.viewer_kubeconfig();
    // RBAC takes effect at once, but give the authorizer cache no chance to flake.
    let doc = eventually("viewer can plan", Duration::from_secs(10), || async {
        let out = env.run_as(&viewer, &["reclaim", "web", "-o", "json"]).await;
        (out.status.code() == Some(0)).then(|| json(&out))
    })
    .await;
    assert_eq!(doc["candidates"][0]["dataFate"], "unknown");
    assert!(doc["notes"][0].as_str().unwrap().starts_with("PersistentVolumes cannot be read"), "{doc}");

    let out = env.run_as(&viewer, &["reclaim", "web", "--delete", "--yes", "--keep-volume"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("--keep-volume needs to read and patch PersistentVolumes"), "{}", stderr(&out));
    assert!(claim(&env, "data-web-1").await.unwrap().metadata.deletion_timestamp.is_none());
}

/// A plan applied after its claims changed: 409 for the changed one, 404 for the one already gone,
/// the rest deleted; the exit code says partial.
#[tokio::test(flavor = "multi_thread")]
async fn a_stale_plan_reports_conflicts_and_continues() {
    let Some(env) = env("reclaim-stale").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 4, 1).await;
    env.wait_claims_settled(&["data-web-1", "data-web-2", "data-web-3"]).await;
    let cluster = env.cluster(Duration::from_secs(30));
    let want = Want { all_pods: true, claims: true, volumes: true, ..Want::default() };
    let snap = cluster.snapshot(&Scope::Namespace(env.ns.clone()), want).await.expect("snapshot");
    let web = snap.statefulsets.iter().find(|s| s.name == "web").unwrap();
    let plan = sts_doctor::reclaim::plan(&snap, web, &PlanOptions::default());
    assert_eq!(plan.candidates.len(), 3);

    // After planning: data-web-1 changes, data-web-2 is deleted by someone else.
    let claims = env.api::<PersistentVolumeClaim>();
    let label = json!({ "metadata": { "labels": { "touched": "yes" } } });
    claims.patch("data-web-1", &PatchParams::default(), &Patch::Merge(&label)).await.expect("patch");
    claims.delete("data-web-2", &DeleteParams::default()).await.expect("delete");
    wait_gone(&env, "data-web-2").await;

    let results = sts_doctor::apply::claims::reclaim(&cluster, &plan.candidates, ReclaimOptions::default()).await;
    let outcomes: Vec<ClaimOutcome> = results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [ClaimOutcome::Conflict, ClaimOutcome::AlreadyGone, ClaimOutcome::Deleted]);
    assert!(results[0].message.starts_with("changed since the plan, not deleted"), "{}", results[0].message);
    let err = sts_doctor::reclaim::exit_for(&results, false).unwrap_err();
    assert_eq!(sts_doctor::error::exit_code_for(&err) as i32, 4);
    assert!(claim(&env, "data-web-1").await.unwrap().metadata.deletion_timestamp.is_none());
    wait_gone(&env, "data-web-3").await;

    // A stale PV in the plan: the --keep-volume patch's resourceVersion precondition fires, the claim stays.
    let snap = cluster.snapshot(&Scope::Namespace(env.ns.clone()), want).await.expect("snapshot");
    let web = snap.statefulsets.iter().find(|s| s.name == "web").unwrap();
    let options = PlanOptions { keep_volume: true, ..PlanOptions::default() };
    let plan = sts_doctor::reclaim::plan(&snap, web, &options);
    assert_eq!(plan.candidates.len(), 1);
    let pv = plan.candidates[0].volume.clone().unwrap();
    let touch = json!({ "metadata": { "labels": { "touched": "yes" } } });
    env.cluster_api::<PersistentVolume>().patch(&pv, &PatchParams::default(), &Patch::Merge(&touch)).await.unwrap();
    let keep = ReclaimOptions { keep_volume: true, dry_run: false };
    let results = sts_doctor::apply::claims::reclaim(&cluster, &plan.candidates, keep).await;
    assert_eq!(results[0].outcome, ClaimOutcome::Conflict);
    assert!(
        results[0].message.contains("not switched to Retain, so the claim was not deleted"),
        "{}",
        results[0].message
    );
    // Nothing changed (the PV patch was refused, no delete sent): refused, not partial.
    let err = sts_doctor::reclaim::exit_for(&results, false).unwrap_err();
    assert_eq!(sts_doctor::error::exit_code_for(&err) as i32, 3);
    assert!(claim(&env, "data-web-1").await.unwrap().metadata.deletion_timestamp.is_none());
}

/// --keep-volume switches the PV first; when the claim delete then fails (it changed since the
/// plan), the result says the claim stayed and that its PV was switched by this run.
#[tokio::test(flavor = "multi_thread")]
async fn keep_volume_then_a_failed_delete_says_what_was_changed() {
    let Some(env) = env("reclaim-keep-half").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    scaled_down(&env, 2, 1).await;
    let cluster = env.cluster(Duration::from_secs(30));
    let want = Want { all_pods: true, claims: true, volumes: true, ..Want::default() };
    let snap = cluster.snapshot(&Scope::Namespace(env.ns.clone()), want).await.expect("snapshot");
    let web = snap.statefulsets.iter().find(|s| s.name == "web").unwrap();
    let plan = sts_doctor::reclaim::plan(&snap, web, &PlanOptions { keep_volume: true, ..PlanOptions::default() });
    assert_eq!(plan.candidates.len(), 1);
    let pv = plan.candidates[0].volume.clone().unwrap();

    let label = json!({ "metadata": { "labels": { "touched": "yes" } } });
    env.api::<PersistentVolumeClaim>()
        .patch("data-web-1", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    let keep = ReclaimOptions { keep_volume: true, dry_run: false };
    let results = sts_doctor::apply::claims::reclaim(&cluster, &plan.candidates, keep).await;
    assert_eq!(results[0].outcome, ClaimOutcome::Conflict);
    assert_eq!(results[0].retained_volume.as_deref(), Some(pv.as_str()));
    assert!(
        results[0].message.starts_with("changed since the plan, not deleted")
            && results[0]
                .message
                .ends_with(&format!("; PV {pv} was switched from reclaimPolicy Delete to Retain first, and stays so")),
        "{}",
        results[0].message
    );
    assert_eq!(policy(&env.cluster_api::<PersistentVolume>().get(&pv).await.unwrap()), "Retain");
    assert!(claim(&env, "data-web-1").await.unwrap().metadata.deletion_timestamp.is_none());
    // The PV was switched: a change was applied and another failed, partial (4).
    let err = sts_doctor::reclaim::exit_for(&results, false).unwrap_err();
    assert_eq!(sts_doctor::error::exit_code_for(&err) as i32, 4);
}

/// The RBAC manifest of the README's reclaim section.
fn readme_rbac() -> String {
    let readme = include_str!("../../README.md");
    let start = readme.find("<!-- reclaim-rbac -->").expect("README marks the reclaim RBAC manifest");
    let block = &readme[start..];
    let body = &block[block.find("```yaml\n").expect("yaml block") + 8..];
    body[..body.find("```").expect("end of block")].to_string()
}

#[path = "reclaim_autoscaled.rs"]
mod autoscaled;
#[path = "reclaim_confirm.rs"]
mod confirm;
