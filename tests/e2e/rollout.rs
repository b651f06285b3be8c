//! End-to-end tests of `rollout` on the real 1.20 StatefulSet controller.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::DeleteParams;
use serde_json::Value;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{assert_exit, env, eventually, json, stderr, stdout};

const GOOD: &str = "registry.example/app:1";
const NEW: &str = "registry.example/app:2";
const BROKEN: &str = "registry.example/app:broken";

/// The main scenario: a template change with partition 2 on 3 replicas updates only web-2
/// (followed live, non-tty output snapshotted), then `--to 0` finishes the rollout.
#[tokio::test(flavor = "multi_thread")]
async fn a_partitioned_canary_then_the_rest() {
    let Some(env) = env("rollout-canary").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3).partition(2)).await;
    env.wait_ready("web", 3).await;
    let before = env.revisions("web").await;

    // Keep the new web-2 Pending until the follower is running, so the output is deterministic.
    kubelet.hold("web-2");
    let revisions = env.set_image("web", NEW).await;
    assert_ne!(revisions.update, before.current);
    env.wait_pod("web-2", "recreated on the update revision", |p| {
        p.revision == revisions.update && p.phase == "Pending"
    })
    .await;
    kubelet.wait_held("web-2").await;
    let mut follow = env.spawn(&["rollout", "web", "--watch", "--timeout", "60s"]);
    follow.wait_for_line("progressing: waiting for web-2").await;
    kubelet.release("web-2");
    let (code, out, err) = follow.finish().await;
    assert_eq!(code, Some(0), "{out}\n{err}");
    crate::server_snapshot!(env, "rollout_follow_partition", normalize(&out, &env.ns));

    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["kind"], "Rollout");
    assert_eq!(doc["phase"], "PartitionComplete");
    let kinds: Vec<&str> =
        doc["ordinals"].as_array().unwrap().iter().map(|r| r["revision"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["current", "current", "update"]);

    // A dry run changes nothing; then the rest of the rollout, followed until done.
    let out = env.run(&["rollout", "web", "--to", "0", "--dry-run"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("dry run: the server accepted partition 0"), "{}", stdout(&out));
    assert_eq!(env.partition("web").await, 2);
    let out = env.run(&["rollout", "web", "--to", "0", "--yes", "--watch", "--timeout", "90s"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("partition 0: the controller updates web-1, web-0 to revision"), "{text}");
    assert!(text.contains("partition set to 0: the controller updates web-1, web-0"), "{text}");
    assert!(text.contains("web-0 updated to"), "{text}");
    assert!(text.contains("\ndone: all 3 pods are on revision"), "{text}");

    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "Done");
    assert_eq!(doc["statefulset"]["currentRevision"]["name"], doc["statefulset"]["updateRevision"]["name"]);
    assert_eq!(doc["statefulset"]["updateRevision"]["name"], revisions.update.as_str());
    let r = env.revisions("web").await;
    assert_eq!(r.current, r.update);
    // Nothing left to lower.
    let out = env.run(&["rollout", "web", "--to", "0", "--yes"]).await;
    assert_exit(&out, 3);
    assert_eq!(stderr(&out), "error: the partition of web is already 0\n");
}

/// `--step 1 --until 0 --pause`: each step waits for the pods updated by the previous one.
#[tokio::test(flavor = "multi_thread")]
async fn stepping_one_ordinal_at_a_time() {
    let Some(env) = env("rollout-steps").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3).partition(3)).await;
    env.wait_ready("web", 3).await;
    env.set_image("web", NEW).await;
    let out = env
        .run(&[
            "rollout",
            "web",
            "--step",
            "1",
            "--until",
            "0",
            "--pause",
            "1s",
            "--yes",
            "--watch",
            "--timeout",
            "120s",
        ])
        .await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("no {needle:?} in:\n{text}"));
    assert!(text.starts_with("plan: lower the partition of web 3 -> 2 -> 1 -> 0, each step once the updated pods are Ready and 1s have passed\n"), "{text}");
    assert!(at("partition set to 2") < at("web-2 updated to"));
    assert!(at("web-2 updated to") < at("pausing 1s before partition 1"));
    assert!(at("pausing 1s before partition 1") < at("partition set to 1"));
    assert!(at("web-1 updated to") < at("partition set to 0"));
    assert!(at("partition set to 0") < at("done: all 3 pods"));
    assert_eq!(env.partition("web").await, 0);
}

/// A broken image is reported stuck; reverting it springs the forced-rollback trap
/// (kubernetes#67250), which `--fix --yes` gets out of.
#[tokio::test(flavor = "multi_thread")]
async fn a_broken_update_is_stuck_and_a_revert_is_trapped_until_fixed() {
    let Some(env) = env("rollout-trap").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.break_image(BROKEN);
    env.create_sts(&sts("web", 3).partition(2)).await;
    env.wait_ready("web", 3).await;
    let good = env.revisions("web").await.current;

    let broken = env.set_image("web", BROKEN).await.update;
    env.wait_pod("web-2", "crash-looping on the broken revision", |p| p.revision == broken && p.phase == "Running")
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let out = env.run(&["rollout", "web", "--stuck-after", "2s"]).await;
    assert_exit(&out, 5);
    assert!(
        stderr(&out).starts_with(&format!("error: stuck: web-2 on update revision {broken} has not been Ready for")),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("(Running, not Ready, CrashLoopBackOff): the new revision looks broken"));
    assert!(stdout(&out).contains("stuck: not Ready for"), "{}", stdout(&out));
    let out = env.run(&["rollout", "web", "--watch", "--stuck-after", "2s", "--timeout", "30s"]).await;
    assert_exit(&out, 5);
    assert!(stdout(&out).contains("\nstuck: web-2 on update revision"), "{}", stdout(&out));
    // No stepping into a broken rollout; no "fix" that would recreate the same broken pod.
    let out = env.run(&["rollout", "web", "--to", "0", "--yes", "--stuck-after", "2s"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).starts_with("error: the rollout is stuck: web-2"), "{}", stderr(&out));
    let out = env.run(&["rollout", "web", "--to", "0", "--yes", "--stuck-after", "2s", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["phase"], "Stuck", "{doc}");
    assert_eq!(doc["step"]["plan"], Value::Null);
    assert_eq!(doc["step"]["action"]["status"], "NotTaken");
    assert!(doc["step"]["action"]["detail"].as_str().unwrap().starts_with("the rollout is stuck: web-2"), "{doc}");
    let out = env.run(&["rollout", "web", "--fix", "--yes", "--stuck-after", "2s"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("would recreate it from the same broken update revision"), "{}", stderr(&out));
    // Raising the partition pauses the broken rollout: allowed, and the command returns after the patch.
    let out = env.run(&["rollout", "web", "--to", "3", "--yes", "--watch", "--stuck-after", "2s"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("plan: raise the partition of web from 2 to 3"), "{}", stdout(&out));
    assert_eq!(env.partition("web").await, 3);
    env.patch_sts("web", serde_json::json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 2 } } } }))
        .await;

    // Revert: the update revision is the good one again, yet the controller never replaces web-2.
    let reverted = env.set_image("web", GOOD).await;
    assert_eq!(reverted.update, good);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stuck = env.pod_view("web-2").await.unwrap();
    assert_eq!(stuck.revision, broken, "the 1.20 controller replaced web-2 by itself");
    // Right after the revert, with the default --stuck-after (5m): trapped at once (the controller
    // waits for the crash-looping web-2 forever), not "progressing" until the timer runs out.
    let out = env.run(&["rollout", "web"]).await;
    assert_exit(&out, 5);
    assert!(
        stderr(&out).contains("the controller waits for it forever (kubernetes/kubernetes#67250)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.rollout_json("web", &[]).await["phase"], "Trapped");
    let out = env.run(&["rollout", "web", "--stuck-after", "2s"]).await;
    assert_exit(&out, 5);
    crate::server_snapshot!(env, "rollout_trapped", normalize(&stdout(&out), &env.ns));
    let doc = env.rollout_json("web", &["--stuck-after", "2s"]).await;
    assert_eq!(doc["phase"], "Trapped");
    assert_eq!(doc["blockingPod"], "web-2");
    let explanation = doc["explanation"].as_str().unwrap();
    assert!(explanation.contains("The template was reverted"), "{explanation}");
    assert!(explanation.contains("kubernetes/kubernetes#67250"), "{explanation}");

    // The fix: declined without a terminal or --yes, a dry run deletes nothing, then for real.
    let out = env.run(&["rollout", "web", "--fix", "--stuck-after", "2s"]).await;
    assert_exit(&out, 3);
    let out = env.run(&["rollout", "web", "--fix", "--dry-run", "--stuck-after", "2s"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("dry run: the server accepted the deletion of web-2"), "{}", stdout(&out));
    // -o json: one document with the plan and what became of it, declined or a dry run.
    let out = env.run(&["rollout", "web", "--fix", "--stuck-after", "2s", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["phase"], "Trapped", "{doc}");
    assert_eq!(doc["fix"]["action"]["status"], "Declined", "{doc}");
    assert_eq!(doc["fix"]["plan"]["pod"], "web-2");
    assert_eq!(doc["fix"]["plan"]["uid"], stuck.uid.as_str());
    assert_eq!(doc["fix"]["plan"]["revision"], broken.as_str());
    assert_eq!(doc["fix"]["plan"]["updateRevision"], good.as_str());
    let out = env.run(&["rollout", "web", "--fix", "--dry-run", "--stuck-after", "2s", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["fix"]["action"]["status"], "DryRun", "{doc}");
    assert_eq!(doc["fix"]["action"]["dryRun"], true);
    assert_eq!(env.pod_view("web-2").await.unwrap().uid, stuck.uid);
    // The same --stuck-after judges the trap and then the replacement pod the follow waits for: 2s
    // of patience is too little for a new pod to be scheduled on a loaded machine. Wait until the
    // trap holds for 10s instead, which leaves the replacement 10s.
    eventually("web-2 trapped for 10s", Duration::from_secs(60), || async {
        (env.rollout_json("web", &["--stuck-after", "10s"]).await["phase"] == "Trapped").then_some(())
    })
    .await;
    let out =
        env.run(&["rollout", "web", "--fix", "--yes", "--stuck-after", "10s", "--watch", "--timeout", "60s"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains(&format!("deleted pod web-2: the controller recreates it from revision {good}")), "{text}");
    assert!(text.contains("\ndone: all 3 pods are on revision"), "{text}");
    let fixed = env.pod_view("web-2").await.unwrap();
    assert!(fixed.uid != stuck.uid && fixed.revision == good && fixed.ready, "{fixed:?}");
}

/// OnDelete: the controller updates nothing; the command lists the pods to delete.
#[tokio::test(flavor = "multi_thread")]
async fn on_delete_lists_the_pods_to_delete() {
    let Some(env) = env("rollout-ondelete").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 3).on_delete()).await;
    env.wait_ready("web", 3).await;
    let update = env.set_image("web", NEW).await.update;
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "WaitingForOnDelete");
    assert_eq!(doc["podsToDelete"], serde_json::json!(["web-2", "web-1", "web-0"]));

    let old = env.pod_view("web-2").await.unwrap();
    env.api::<Pod>().delete("web-2", &DeleteParams::default()).await.unwrap();
    env.wait_pod("web-2", "recreated on the update revision and Ready", |p| {
        p.uid != old.uid && p.revision == update && p.ready
    })
    .await;
    let out = env.run(&["rollout", "web"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("still to delete: web-1, web-0"), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("next: kubectl delete pod web-1 -n {}", env.ns)), "{}", stdout(&out));
    let out = env.run(&["rollout", "web", "--step", "1", "--yes"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("uses the OnDelete strategy"), "{}", stderr(&out));
}

/// `--timeout` ends a follow with exit 5 and the last reason.
#[tokio::test(flavor = "multi_thread")]
async fn a_follow_that_times_out() {
    let Some(env) = env("rollout-timeout").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    env.wait_ready("web", 2).await;
    kubelet.hold("web-1");
    env.set_image("web", NEW).await;
    let out = env.run(&["rollout", "web", "--watch", "--timeout", "3s"]).await;
    assert_exit(&out, 5);
    assert!(stderr(&out).starts_with("error: timed out after 3s: progressing: "), "{}", stderr(&out));
}

/// The partition patch carries the resourceVersion it was planned on: a stale one is a 409.
#[tokio::test(flavor = "multi_thread")]
async fn a_stale_partition_patch_is_rejected() {
    let Some(env) = env("rollout-conflict").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 1).partition(1)).await;
    let stale = env.wait_ready("web", 1).await.metadata.resource_version.unwrap();
    env.set_image("web", NEW).await;
    let cluster = env.cluster(Duration::from_secs(10));
    let err =
        sts_doctor::apply::statefulsets::set_partition(&cluster, &env.ns, "web", &stale, 0, false).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(env.partition("web").await, 1);

    let out = env.run(&["rollout", "nope"]).await;
    assert_exit(&out, 1);
    assert_eq!(stderr(&out), format!("error: statefulset \"nope\" not found in namespace \"{}\"\n", env.ns));
    let out = env.run(&["rollout", "web", "--step", "0"]).await;
    assert_exit(&out, 2);
}

/// RBAC: showing needs get/list; following also needs watch, and says so.
#[tokio::test(flavor = "multi_thread")]
async fn permissions_to_show_and_to_follow() {
    use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
    use kube::api::PostParams;
    let Some(env) = env("rollout-rbac").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 1)).await;
    env.wait_ready("web", 1).await;
    // A rollout in progress (web-0 held Pending), so following has something to wait for.
    kubelet.hold("web-0");
    env.set_image("web", NEW).await;
    let role: Role = serde_json::from_value(serde_json::json!({
        "metadata": { "name": "rollout-reader" },
        "rules": [
            { "apiGroups": ["apps"], "resources": ["statefulsets"], "verbs": ["get", "list"] },
            { "apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"] }
        ]
    }))
    .unwrap();
    env.api::<Role>().create(&PostParams::default(), &role).await.unwrap();
    let binding: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": { "name": "rollout-reader" },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "rollout-reader" },
        "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer" }]
    }))
    .unwrap();
    env.api::<RoleBinding>().create(&PostParams::default(), &binding).await.unwrap();
    env.wait_allowed("viewer", "get", "apps", "statefulsets", true).await;
    let viewer = env.kubeconfig.with_file_name("viewer.kubeconfig").display().to_string();
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = vec!["--kubeconfig".into(), viewer.clone(), "-n".into(), env.ns.clone()];
        args.extend(["rollout", "web"].iter().chain(extra).map(|s| s.to_string()));
        crate::support::run_binary(args, &[])
    };
    let out = run(&[]).await;
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(
            "note: revision numbers unknown (cannot read ControllerRevisions: cannot list controllerrevisions"
        ),
        "{}",
        stdout(&out)
    );
    let out = run(&["--watch", "--timeout", "20s"]).await;
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: cannot watch "), "{}", stderr(&out));
    assert!(stderr(&out).contains("forbidden: the current user needs RBAC permission to watch"), "{}", stderr(&out));
}

/// A pod that blocks the StatefulSet because its node is gone: the advice is force-delete, not waiting.
#[tokio::test(flavor = "multi_thread")]
async fn a_pod_on_a_lost_node_blocks_the_statefulset() {
    let Some(env) = env("rollout-lost-node").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;
    // n1 goes silent: taint eviction marks web-0 Terminating, and nothing on n1 finishes it. Stuck
    // at once, long before --stuck-after: no wait makes a lost node's pod go.
    kubelet.lose_node("n1").await;
    let out = env.run(&["rollout", "web", "--stuck-after", "10m"]).await;
    assert_exit(&out, 5);
    let err = stderr(&out);
    assert!(err.starts_with("error: stuck: web-0 is terminating (for "), "{err}");
    assert!(err.contains(&format!("its node {} looks lost", kubelet.node("n1"))), "{err}");
    assert!(err.contains(&format!("kubectl sts-doctor -n {} force-delete web-0", env.ns)), "{err}");
}

/// OrderedReady scale-down removes an unhealthy pod only when it is the first unhealthy pod: with
/// web-2 and web-3 both crash-looping, the 1.20 controller never removes web-3, and the rollout is
/// stuck (not "progressing: the controller removes web-3").
#[tokio::test(flavor = "multi_thread")]
async fn an_ordered_scale_down_blocked_by_two_unhealthy_pods_is_stuck() {
    use kube::api::{Patch, PatchParams};
    let Some(env) = env("rollout-scaledown").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.break_image(BROKEN);
    env.create_sts(&sts("web", 4)).await;
    env.wait_ready("web", 4).await;
    // Break web-2 and web-3 in place: a pod's image is mutable, and the controller leaves it.
    let broken = serde_json::json!({ "spec": { "containers": [{ "name": "app", "image": BROKEN }] } });
    for pod in ["web-2", "web-3"] {
        env.api::<Pod>().patch(pod, &PatchParams::default(), &Patch::Strategic(&broken)).await.unwrap();
        env.wait_pod(pod, "crash-looping", |p| p.phase == "Running" && !p.ready).await;
    }
    // The controller picks the pod to remove from its informer's view: until that has seen web-3
    // not Ready, it would remove web-3 as a healthy pod.
    env.wait_controller_sees_ready("web", 2).await;
    env.scale("web", 2).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let web3 = env.pod_view("web-3").await.expect("web-3");
    assert!(!web3.terminating, "the 1.20 controller removed web-3 after all");

    let out = env.run(&["rollout", "web", "--stuck-after", "2s"]).await;
    assert_exit(&out, 5);
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: stuck: scale-down is blocked: web-3 (Running, not Ready, CrashLoopBackOff) is unhealthy and not \
             the lowest unhealthy pod"
        ),
        "{err}"
    );
    assert!(err.contains("the controller waits for web-2 (Running, not Ready, CrashLoopBackOff)"), "{err}");
    let doc = env.rollout_json("web", &["--stuck-after", "2s"]).await;
    assert_eq!(doc["controllerNext"]["action"], "scaleDownBlocked");
    assert_eq!(doc["blockingPod"], "web-2");
    // `ordinals` says the same, from the same rules.
    let out = env.run(&["ordinals", "web", "-o", "json"]).await;
    let doc = json(&out);
    let web3 = doc["ordinals"].as_array().unwrap().iter().find(|r| r["pod"] == "web-3").unwrap().clone();
    assert_eq!(web3["issue"], "scale-down-blocked", "{web3}");
}

/// `--fix` deletes with the pod's resourceVersion as precondition: a pod that changed since it was
/// judged (e.g. got Ready) is a 409, and nothing is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn a_fix_on_a_pod_that_changed_since_it_was_judged_deletes_nothing() {
    use kube::api::{Patch, PatchParams};
    let Some(env) = env("rollout-fix-rv").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 1)).await;
    env.wait_ready("web", 1).await;
    let judged = env.api::<Pod>().get("web-0").await.unwrap().metadata;
    let (uid, stale) = (judged.uid.unwrap(), judged.resource_version.unwrap());
    let label = serde_json::json!({ "metadata": { "labels": { "moved": "yes" } } });
    let moved = env.api::<Pod>().patch("web-0", &PatchParams::default(), &Patch::Merge(&label)).await.unwrap();
    let cluster = env.cluster(Duration::from_secs(10));
    let delete = |rv: String, dry_run: bool| {
        let (cluster, ns, uid) = (cluster.clone(), env.ns.clone(), uid.clone());
        async move { sts_doctor::apply::statefulsets::delete_trapped_pod(&cluster, &ns, "web-0", &uid, &rv, dry_run).await }
    };
    let err = delete(stale, false).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(env.pod_view("web-0").await.unwrap().uid, uid);
    // With the current resourceVersion the server accepts it (dry run: nothing deleted).
    delete(moved.metadata.resource_version.unwrap(), true).await.unwrap();
    assert!(!env.pod_view("web-0").await.unwrap().terminating);
}
