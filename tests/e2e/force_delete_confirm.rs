//! End-to-end tests of how `force-delete` confirms: a dry run without a prompt, and a prompt on
//! a terminal while stdout goes elsewhere.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Patch, PatchParams};

use crate::force_delete::two_pods;
use crate::support::{assert_exit, json, lost, stderr, stdout};

/// A dry run changes nothing, so, as with reclaim and rollout, it needs no confirmation: without
/// a terminal and without --yes the server-side dry-run DELETE (or PATCH) is still sent. The gate
/// is not relaxed: a refused gate is a refusal (exit 3) in a dry run too.
#[tokio::test(flavor = "multi_thread")]
async fn dry_run_needs_no_confirmation_but_keeps_the_gate() {
    let Some((env, kubelet)) = two_pods("fd-dry-noprompt").await else { return };
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let node = kubelet.node("n2");
    let taints = env.taints(&node).await;

    // No strong signal: refused, dry run or not.
    let out = env.run(&lost(&["force-delete", "web-1", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!((doc["verdict"].as_str(), doc["action"]["status"].as_str()), (Some("Refused"), Some("NotTaken")));
    assert!(stderr(&out).contains("Missing evidence: strong-signal"), "{}", stderr(&out));

    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--dry-run"])).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("server-side dry run: would have force-deleted pod"), "{text}");
    assert!(!stderr(&out).contains("not confirmed"), "{}", stderr(&out));
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--fence", "--dry-run", "-o", "json"])).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!((doc["action"]["status"].as_str(), doc["action"]["dryRun"].as_bool()), (Some("DryRun"), Some(true)));
    assert!(doc.get("evidenceAfter").is_none(), "no prompt, nothing read again: {doc}");

    tokio::time::sleep(Duration::from_secs(1)).await;
    env.assert_untouched("web-1", &uid).await;
    assert_eq!(env.taints(&node).await, taints);
}

/// An operator at a terminal who sends the output to a file (`> plan.txt`, `| tee log`) answers
/// the prompt on the terminal: the checklist and plan that went to the file are shown there too,
/// before the question. The file still gets them.
#[tokio::test(flavor = "multi_thread")]
async fn a_prompt_with_stdout_redirected_shows_the_plan_first() {
    let Some((env, kubelet)) = two_pods("fd-redirected").await else { return };
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let question = format!("Force-delete pod {}/web-1 now?", env.ns);

    let session = env.run_on_terminal(&lost(&["force-delete", "web-1", "--node-fenced"]), "[y/N]", "n").await;
    assert_exit(&session.out, 3);
    let screen = &session.screen;
    let asked = screen.find(&question).unwrap_or_else(|| panic!("no question:\n{screen}"));
    let before = &screen[..asked];
    assert!(before.contains("stdout is not a terminal: what was printed there, repeated here"), "{screen}");
    for shown in ["--node-fenced: the operator states the node is fenced", "verdict: allowed", "plan:\n  1. delete pod"]
    {
        assert!(before.contains(shown), "{shown:?} not shown before the question:\n{screen}");
        assert!(stdout(&session.out).contains(shown), "{shown:?} not in the output:\n{}", stdout(&session.out));
    }
    assert!(screen[asked..].contains("not confirmed: nothing was changed"), "{screen}");
    env.assert_untouched("web-1", &uid).await;

    let session = env.run_on_terminal(&lost(&["force-delete", "web-1", "--node-fenced"]), "[y/N]", "y").await;
    assert_exit(&session.out, 0);
    assert!(session.screen.find("verdict: allowed") < session.screen.find(&question), "{}", session.screen);
    assert!(stdout(&session.out).contains("force-deleted pod"), "{}", stdout(&session.out));
    env.wait_replaced("web-1", &uid).await;
}

/// The plan names the pod's resourceVersion; while the operator reads it, someone edits a label.
/// What was confirmed is not the pod as it is now: nothing is deleted, the refusal says what
/// changed, and a new run judges the pod afresh.
#[tokio::test(flavor = "multi_thread")]
async fn a_pod_changed_while_the_prompt_waits_is_not_deleted() {
    let Some((env, kubelet)) = two_pods("fd-changed-at-prompt").await else { return };
    kubelet.lose_node("n2").await;
    let pods: kube::Api<Pod> = env.api();
    let before = pods.get("web-1").await.unwrap();
    let (uid, planned) = (before.metadata.uid.unwrap(), before.metadata.resource_version.unwrap());

    let edit = pods.clone();
    let label = move || {
        let patch = serde_json::json!({ "metadata": { "labels": { "tier": "db" } } });
        tokio::runtime::Handle::current()
            .block_on(edit.patch("web-1", &PatchParams::default(), &Patch::Merge(&patch)))
            .expect("label web-1");
    };
    let session =
        env.run_on_terminal_with(&lost(&["force-delete", "web-1", "--node-fenced"]), "[y/N]", label, "y").await;
    assert_exit(&session.out, 3);
    let now = pods.get("web-1").await.unwrap().metadata.resource_version.unwrap();
    assert_ne!(now, planned);
    let screen = &session.screen;
    assert!(stdout(&session.out).contains(&format!("resourceVersion={planned}")), "{}", stdout(&session.out));
    let refusal = format!(
        "error: pod {}/web-1 changed since the plan (resourceVersion {planned} -> {now}: labels changed (tier)): \
         nothing was deleted; run the command again to judge it afresh",
        env.ns
    );
    assert!(screen.contains(&refusal), "no {refusal:?} on the terminal:\n{screen}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    env.assert_untouched("web-1", &uid).await;

    // The document says so too: the plan's precondition no longer holds (Conflict).
    let edit = pods.clone();
    let annotate = move || {
        let patch = serde_json::json!({ "metadata": { "annotations": { "example.com/note": "changed" } } });
        tokio::runtime::Handle::current()
            .block_on(edit.patch("web-1", &PatchParams::default(), &Patch::Merge(&patch)))
            .expect("annotate web-1");
    };
    let args = lost(&["force-delete", "web-1", "--node-fenced", "-o", "json"]);
    let session = env.run_on_terminal_with(&args, "[y/N]", annotate, "y").await;
    assert_exit(&session.out, 3);
    let doc = json(&session.out);
    assert_eq!(doc["action"]["status"], "Conflict", "{}", doc["action"]);
    let detail = doc["action"]["detail"].as_str().unwrap();
    assert!(detail.contains(": not in phase, readiness, node, labels, deletion"), "{detail}");
    // What it was refused on is in the document too: the pod as read again after the answer.
    let (judged, reread) =
        (&doc["evidence"]["pod"]["resourceVersion"], &doc["evidenceAfter"]["pod"]["resourceVersion"]);
    assert!(judged.is_string() && reread.is_string() && judged != reread, "{judged} / {reread}");
    assert_eq!(doc["evidenceAfter"]["pod"]["uid"].as_str(), Some(uid.as_str()), "{}", doc["evidenceAfter"]);
    env.assert_untouched("web-1", &uid).await;

    // Judged afresh: still a lost node, and the pod as it is now is deleted.
    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes", "-o", "json"])).await;
    assert_exit(&out, 0);
    assert_eq!(json(&out)["action"]["status"], "Deleted");
    env.wait_replaced("web-1", &uid).await;
}
