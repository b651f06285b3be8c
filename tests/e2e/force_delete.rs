//! End-to-end tests of `force-delete`: the real StatefulSet controller recreates what is deleted,
//! the simulator plays the nodes (healthy, flapping, lost, deleted).

use std::time::Duration;

use clap::Parser;
use serde_json::Value;
use sts_doctor::cli::{Cli, Command};
use sts_doctor::force_delete::Action;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::pod_status::as_kubelet;
use crate::support::{Env, Kubelet, assert_exit, env, eventually, json, lost, short_thresholds, stderr, stdout};

pub(crate) const TEN_MINUTES: Duration = Duration::from_secs(600);

fn check<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["checks"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no {name}: {doc}"))
}

/// web-0 on n1, web-1 on n2, both Ready.
pub(crate) async fn two_pods(name: &str) -> Option<(Env, Kubelet)> {
    let env = env(name).await?;
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;
    Some((env, kubelet))
}

/// A client as `force-delete web-1` in the test namespace would make, for driving the library
/// step by step.
async fn connect(env: &Env) -> sts_doctor::cluster::Cluster {
    let cli = Cli::parse_from([
        "kubectl-sts_doctor",
        "--kubeconfig",
        env.kubeconfig.to_str().unwrap(),
        "-n",
        &env.ns,
        "force-delete",
        "web-1",
    ]);
    assert!(matches!(cli.command, Some(Command::ForceDelete(_))));
    sts_doctor::cluster::connect(&cli.global).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn healthy_node_is_refused_even_with_yes_and_node_fenced() {
    let Some((env, _kubelet)) = two_pods("fd-healthy").await else { return };
    let uid = env.pod_uid("web-1").await.unwrap();

    let out = env.run(&["force-delete", "web-1"]).await;
    assert_exit(&out, 3);
    crate::server_snapshot!(env, "force_delete_refused_healthy", normalize(&stdout(&out), &env.ns));
    assert!(stderr(&out).starts_with(&format!("error: refused to force-delete {}/web-1", env.ns)), "{}", stderr(&out));

    let out = env.run(&["force-delete", "web-1", "--yes", "--node-fenced", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!((doc["kind"].as_str(), doc["verdict"].as_str()), (Some("ForceDelete"), Some("Refused")));
    assert_eq!(check(&doc, "not-ready")["ok"], false);
    assert!(check(&doc, "not-ready")["detail"].as_str().unwrap().contains("a Ready node always refuses"));
    assert_eq!(doc["nodeFenced"], true);
    assert_eq!(doc["action"]["status"], "NotTaken");
    env.assert_untouched("web-1", &uid).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flapping_node_with_a_fresh_lease_is_refused() {
    let Some((env, kubelet)) = two_pods("fd-flapping").await else { return };
    kubelet.flap_node("n2", TEN_MINUTES).await;
    let uid = env.pod_uid("web-1").await.unwrap();

    let out = env.run(&["force-delete", "web-1", "--node-fenced", "--yes", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(check(&doc, "not-ready")["ok"], true);
    let lease = check(&doc, "lease-stale");
    assert_eq!(lease["ok"], false);
    assert!(lease["detail"].as_str().unwrap().contains("a fresh Lease always refuses"), "{lease}");
    assert!(stderr(&out).contains("Missing evidence: lease-stale: renewed"), "{}", stderr(&out));
    env.assert_untouched("web-1", &uid).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_node_stated_fenced_is_force_deleted_and_recreated() {
    let Some((env, kubelet)) = two_pods("fd-lost").await else { return };
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();

    // Lease stale and unreachable taints, but no strong signal yet.
    let out = env.run(&lost(&["force-delete", "web-1", "--yes"])).await;
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("verdict: refused: missing evidence: strong-signal"), "{}", stdout(&out));
    env.assert_untouched("web-1", &uid).await;

    // The real attach/detach controller keeps data-web-1 attached to the silent n2 (its last
    // report lists the volume in use), so the replacement on n1 waits for it: --wait says so.
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes", "--wait", "--timeout", "20s"])).await;
    assert_exit(&out, 5);
    crate::server_snapshot!(env, "force_delete_allowed", normalize(&stdout(&out), &env.ns));
    let new = env.wait_replaced("web-1", &uid).await;
    assert_eq!(new.spec.unwrap().node_name, Some(kubelet.node("n1")));
    // Once the node is fenced (out-of-service), the attach/detach controller detaches at once
    // (since 1.28; 1.20 knows no such taint and keeps waiting its 6 minutes) and it starts.
    kubelet.taint("n2", "node.kubernetes.io/out-of-service", "NoExecute", Duration::ZERO).await;
    if env.server_minor().await >= 28 {
        env.wait_ready("web", 2).await;
    } else {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let status = env.wait_status("web", "the controller's status", |_| true).await.status.unwrap();
        assert_eq!(status.ready_replicas, Some(1), "1.20 does not detach from an out-of-service node");
    }
}

/// The race the UID precondition exists for: the plan is made, then the pod is replaced (the real
/// controller recreates it after someone else's grace-0 delete), then the stale plan is applied.
#[tokio::test(flavor = "multi_thread")]
async fn a_replaced_pod_is_never_deleted_by_a_stale_plan() {
    let Some((env, kubelet)) = two_pods("fd-race").await else { return };
    kubelet.lose_node("n2").await;
    let cluster = connect(&env).await;
    let evidence = cluster.force_delete_evidence(&env.ns, "web-1", false).await.unwrap();
    let decision = sts_doctor::force_delete::assess(&evidence, &short_thresholds(), true);
    let action = sts_doctor::force_delete::plan(&evidence, &decision, false).unwrap();
    let Action::Delete { uid: old, resource_version, .. } = &action else { panic!("{action:?}") };

    // Someone else force-deletes web-1; the controller recreates it with a new uid.
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = env.api();
    pods.delete("web-1", &kube::api::DeleteParams { grace_period_seconds: Some(0), ..Default::default() })
        .await
        .unwrap();
    let new = env.wait_replaced("web-1", old).await;
    let new_uid = new.metadata.uid.unwrap();

    let err = sts_doctor::apply::pods::force_delete(&cluster, &env.ns, "web-1", old, resource_version, false)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(err.to_string().contains("the UID in the precondition"), "{err}");
    let err = sts_doctor::commands::force_delete::execute(&cluster, &action, false).await.unwrap_err();
    assert_eq!(sts_doctor::error::exit_code_for(&err), sts_doctor::error::Exit::Refused);
    let text = sts_doctor::error::one_line(&err);
    assert!(
        text.starts_with(&format!("pod {}/web-1 changed or was replaced after the evidence was gathered", env.ns)),
        "{text}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(env.pod_uid("web-1").await, Some(new_uid));
}

/// The node comes back between the plan and the delete: its kubelet reports the pod's status
/// again, which changes the pod's resourceVersion, so the stale plan deletes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_pod_whose_kubelet_came_back_is_not_deleted_by_a_stale_plan() {
    let Some((env, kubelet)) = two_pods("fd-back").await else { return };
    kubelet.lose_node("n2").await;
    let cluster = connect(&env).await;
    let evidence = cluster.force_delete_evidence(&env.ns, "web-1", false).await.unwrap();
    let decision = sts_doctor::force_delete::assess(&evidence, &short_thresholds(), true);
    let action = sts_doctor::force_delete::plan(&evidence, &decision, false).unwrap();
    let Action::Delete { uid, .. } = &action else { panic!("{action:?}") };
    let uid = uid.clone();

    // The kubelet is back and reports the pod Ready again.
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = env.api();
    let patch = serde_json::json!({ "status": { "conditions": [{ "type": "Ready", "status": "True" }] } });
    pods.patch_status("web-1", &as_kubelet(), &kube::api::Patch::Merge(&patch)).await.unwrap();

    let err = sts_doctor::commands::force_delete::execute(&cluster, &action, false).await.unwrap_err();
    assert_eq!(sts_doctor::error::exit_code_for(&err), sts_doctor::error::Exit::Refused);
    assert!(sts_doctor::error::one_line(&err).contains("changed or was replaced"), "{err}");
    env.assert_untouched("web-1", &uid).await;
}

/// Node Unknown, Lease stale, shutdown taint: the gate allows. Then the pod's
/// status is written again as a kubelet coming back writes it (Running, Ready since now, its
/// container started now): something on the node still runs it, and the gate refuses, naming
/// the fields and times.
#[tokio::test(flavor = "multi_thread")]
async fn a_pod_whose_status_is_written_after_its_node_went_unknown_is_refused() {
    let Some((env, kubelet)) = two_pods("fd-status-written").await else { return };
    kubelet.lose_node("n2").await;
    // The cloud provider's shutdown taint: a strong signal pod GC does not act on (it force-deletes
    // the terminating pods of an out-of-service node by itself since 1.28).
    kubelet.taint("n2", "node.cloudprovider.kubernetes.io/shutdown", "NoSchedule", Duration::ZERO).await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let node = kubelet.node("n2");

    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let silent = check(&doc, "status-silent");
    assert_eq!((silent["required"].as_bool(), silent["ok"].as_bool()), (Some(true), Some(true)), "{silent}");
    assert!(
        silent["detail"].as_str().unwrap().starts_with(&format!("no pod status written after {node} went Unknown"))
    );

    env.report_running_now("web-1").await;
    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!((doc["verdict"].as_str(), doc["action"]["status"].as_str()), (Some("Refused"), Some("NotTaken")));
    let silent = check(&doc, "status-silent");
    assert_eq!(silent["ok"], false, "{silent}");
    let detail = silent["detail"].as_str().unwrap();
    for shown in [
        "Ready turned True at ",
        "conditions[Ready].lastTransitionTime",
        "container app started at ",
        "containerStatuses[app].state.running.startedAt",
        &format!("after {node} went Unknown at "),
        "Ready lastTransitionTime",
        &format!("something on {node} still writes this pod's status"),
    ] {
        assert!(detail.contains(shown), "{shown:?} not in {detail}");
    }
    assert!(doc["evidence"]["podStatus"]["containers"][0]["started"].is_string(), "{}", doc["evidence"]);
    assert!(
        stderr(&out).contains("Missing evidence: status-silent: the kubelet wrote this pod at "),
        "{}",
        stderr(&out)
    );
    // Stating the node is fenced does not outweigh it.
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes"])).await;
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("verdict: refused: missing evidence: status-silent"), "{}", stdout(&out));
    env.assert_untouched("web-1", &uid).await;
}

/// Node lost, the kubelet's last write before then: allowed. Then its kubelet comes back
/// and writes the pod as it mostly does, Ready=True with its cached, old lastTransitionTime (no
/// time in the status is new): only the pod's managedFields entry of the kubelet, dated by the
/// API server, shows the write, and the gate refuses on it.
#[tokio::test(flavor = "multi_thread")]
async fn a_kubelet_writing_old_times_after_its_node_went_unknown_is_refused_by_its_managed_fields() {
    let Some((env, kubelet)) = two_pods("fd-managed-fields").await else { return };
    kubelet.lose_node("n2").await;
    // The cloud provider's shutdown taint: a strong signal pod GC does not act on (it force-deletes
    // the terminating pods of an out-of-service node by itself since 1.28).
    kubelet.taint("n2", "node.cloudprovider.kubernetes.io/shutdown", "NoSchedule", Duration::ZERO).await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let node = kubelet.node("n2");

    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let silent = check(&doc, "status-silent");
    assert_eq!((silent["required"].as_bool(), silent["ok"].as_bool()), (Some(true), Some(true)), "{silent}");
    let detail = silent["detail"].as_str().unwrap();
    let last_wrote =
        regex::Regex::new(r"Ready lastTransitionTime\): the kubelet last wrote it \d+s ago \(managedFields\)");
    assert!(last_wrote.unwrap().is_match(detail), "{detail}");
    assert_eq!(doc["evidence"]["podStatus"]["managedFields"], true, "{}", doc["evidence"]);

    env.report_ready_again("web-1", Duration::from_secs(3600)).await;
    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!((doc["verdict"].as_str(), doc["action"]["status"].as_str()), (Some("Refused"), Some("NotTaken")));
    let silent = check(&doc, "status-silent");
    assert_eq!(silent["ok"], false, "{silent}");
    let detail = silent["detail"].as_str().unwrap();
    assert!(detail.starts_with("the kubelet wrote this pod at "), "{detail}");
    assert!(
        detail.contains(&format!(
            "metadata.managedFields[manager=kubelet].time, the API server's clock), after {node} went Unknown at "
        )),
        "{detail}"
    );
    assert!(!detail.contains("Ready turned True at"), "the status times are old: {detail}");
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes"])).await;
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("verdict: refused: missing evidence: status-silent"), "{}", stdout(&out));
    env.assert_untouched("web-1", &uid).await;
}

/// The usual state of a pod on a lost node: the taint manager evicted it (a graceful delete), and
/// with no kubelet to confirm it stays Terminating. The grace-0 DELETE shortens its grace period,
/// which updates the object before removing it: the resourceVersion precondition must still hold
/// (the API server carries it over to the removal).
#[tokio::test(flavor = "multi_thread")]
async fn a_terminating_pod_is_force_deleted() {
    let Some((env, kubelet)) = two_pods("fd-terminating").await else { return };
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = env.api();
    pods.delete("web-1", &kube::api::DeleteParams { grace_period_seconds: Some(30), ..Default::default() })
        .await
        .unwrap();

    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let pod = check(&doc, "pod")["detail"].as_str().unwrap().to_string();
    assert!(pod.contains("terminating (deletionTimestamp") && pod.contains("grace 30s"), "{pod}");
    assert_eq!(doc["action"]["status"], "Deleted", "{}", doc["action"]);
    let new = env.wait_replaced("web-1", &uid).await;
    assert_eq!(new.spec.unwrap().node_name, Some(kubelet.node("n1")));
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_node_is_allowed() {
    let Some((env, kubelet)) = two_pods("fd-deleted").await else { return };
    kubelet.lose_node("n2").await;
    kubelet.delete_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();

    // Quickly, before pod GC deletes the orphaned pod itself (after ~40s).
    let out = env.run(&lost(&["force-delete", "web-1", "--yes", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["verdict"], "Allowed");
    assert_eq!(doc["strongSignals"][0], "the Node object is deleted");
    assert_eq!(doc["evidence"]["node"]["status"], "absent");
    assert!(check(&doc, "not-ready")["detail"].as_str().unwrap().contains("its absence counts as not Ready"));
    assert_eq!(doc["action"]["status"], "Deleted");
    env.wait_replaced("web-1", &uid).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fence_taints_the_node_keeping_its_taints() {
    let Some((env, kubelet)) = two_pods("fd-fence").await else { return };
    kubelet.lose_node("n2").await;
    let node = kubelet.node("n2");
    let before = env.taints(&node).await;
    assert_eq!(before.len(), 2, "{before:?}");

    let uid = env.pod_uid("web-1").await.unwrap();
    let out = env.run(&lost(&["force-delete", "web-1", "--fence", "--yes"])).await;
    assert_exit(&out, 3);
    assert_eq!(env.taints(&node).await, before);
    let out = env.run(&lost(&["force-delete", "web-1", "--fence", "--node-fenced", "--yes", "--dry-run"])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("server-side dry run: would have tainted node"), "{}", stdout(&out));
    assert_eq!(env.taints(&node).await, before);
    env.assert_untouched("web-1", &uid).await;

    let volume = env.claim_volume("data-web-1").await;
    assert_eq!(env.attachments(&volume).await, vec![node.clone()], "attached to the lost node");
    let out = env.run(&lost(&["force-delete", "web-1", "--fence", "--node-fenced", "--yes"])).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains(&format!("kubectl taint node {node} node.kubernetes.io/out-of-service-")), "{text}");
    let mut after = env.taints(&node).await;
    assert_eq!(after.pop().as_deref(), Some("node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"));
    assert_eq!(after, before);

    if env.server_minor().await >= 28 {
        // Since 1.28 (NodeOutOfServiceVolumeDetach GA) the controllers finish the job: pod GC
        // force-deletes the terminating pod (it checks every 20s), the attach/detach controller
        // detaches its volume from the fenced node without the 6-minute wait, and the StatefulSet
        // controller's replacement runs on n1.
        assert!(!text.contains("warning: the API server is v1."), "{text}");
        assert!(text.contains("pod GC then force-deletes the terminating pods"), "{text}");
        env.wait_replaced("web-1", &uid).await;
        env.wait_ready("web", 2).await;
        assert_eq!(env.attachments(&volume).await, vec![kubelet.node("n1")], "detached from the fenced node");
    } else {
        // 1.20: out-of-service is not acted on (alpha from 1.24): the command says so, and the
        // pod stays until someone deletes it.
        assert!(text.contains("warning: the API server is v1.20"), "{text}");
        // The taint is now itself the strong signal; fencing again changes nothing.
        let out = env.run(&lost(&["force-delete", "web-1", "--fence", "--yes", "-o", "json"])).await;
        assert_exit(&out, 0);
        assert_eq!(json(&out)["action"]["status"], "AlreadyFenced");
        tokio::time::sleep(Duration::from_secs(25)).await;
        env.assert_untouched("web-1", &uid).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_and_no_terminal_change_nothing() {
    let Some((env, kubelet)) = two_pods("fd-dry").await else { return };
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();

    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced"])).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("no terminal to ask on; pass --yes"), "{}", stderr(&out));
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!((doc["action"]["status"].as_str(), doc["action"]["dryRun"].as_bool()), (Some("DryRun"), Some(true)));
    tokio::time::sleep(Duration::from_secs(1)).await;
    env.assert_untouched("web-1", &uid).await;

    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "--wait"])).await;
    assert_exit(&out, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_reports_multi_attach_and_times_out() {
    let Some((env, kubelet)) = two_pods("fd-wait").await else { return };
    kubelet.lose_node("n2").await;

    // The replacement is bound to n1; the attach/detach controller refuses to attach its
    // ReadWriteOnce volume there while n2 (silent, still reporting it in use) holds it.
    let args = lost(&["force-delete", "web-1", "--node-fenced", "--yes", "--wait", "--timeout", "15s"]);
    let out = env.run(&args).await;
    assert_exit(&out, 5);
    let text = stdout(&out);
    assert!(text.contains("not done after"), "{text}");
    // The attach/detach controller's words changed in 1.3x: "Multi-Attach error for volume" before.
    assert!(
        text.contains("volume: FailedAttachVolume: ")
            && (text.contains("Multi-Attach error") || text.contains("already exclusively attached")),
        "{text}"
    );
    assert!(stderr(&out).contains("error: timed out after 15s waiting for web-1"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_without_a_statefulset_gets_a_warning_and_the_same_gate() {
    let Some(env) = env("fd-plain").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n2"]).await;
    env.create_pod_mounting("backup", &[]).await;
    kubelet.place(&[("backup", "n2")]).await;
    env.wait_replaced("backup", "none").await;
    kubelet.lose_node("n2").await;

    let out = env.run(&lost(&["force-delete", "backup", "--yes"])).await;
    assert_exit(&out, 3);
    assert!(stdout(&out).contains("backup is not owned by a StatefulSet (no controller)"), "{}", stdout(&out));
    let out = env.run(&lost(&["force-delete", "backup", "--yes", "--node-fenced", "--wait"])).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("wait: not waiting: backup is not owned by a StatefulSet"), "{}", stdout(&out));
    assert_eq!(env.pod_uid("backup").await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_errors_for_missing_pods_and_permissions() {
    let Some((env, _kubelet)) = two_pods("fd-errors").await else { return };
    let out = env.run(&["force-delete", "nope"]).await;
    assert_exit(&out, 1);
    assert_eq!(stderr(&out), format!("error: pod \"nope\" not found in namespace \"{}\"\n", env.ns));
    let out = env.run(&["force-delete", "Web-1"]).await;
    assert_exit(&out, 2);

    let viewer = env.viewer_kubeconfig();
    let out = env.run_as(&viewer, &["force-delete", "web-1"]).await;
    assert_exit(&out, 1);
    assert!(
        stderr(&out).starts_with(&format!(
            "error: cannot get pod \"web-1\" in namespace \"{}\": forbidden: the current user needs RBAC permission to \
             get pods",
            env.ns
        )),
        "{}",
        stderr(&out)
    );

    // Pods readable, Nodes and Leases not: refused (never "deleted"), naming the permission.
    env.grant_viewer(&["pods", "persistentvolumeclaims"], &["get", "list"]).await;
    let out = eventually("the viewer's role to apply", Duration::from_secs(10), || async {
        let out = env.run_as(&viewer, &["force-delete", "web-1", "--node-fenced", "--yes"]).await;
        (out.status.code() != Some(1)).then_some(out)
    })
    .await;
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(text.contains("cannot read the Node: cannot get node"), "{text}");
    assert!(text.contains("needs RBAC permission to get nodes"), "{text}");
    assert!(text.contains("needs RBAC permission to get leases.coordination.k8s.io"), "{text}");
}
