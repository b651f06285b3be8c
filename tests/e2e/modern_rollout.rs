//! Issue 13.4, rollout features that existed only as JSON fixtures: rollingUpdate.maxUnavailable
//! and minReadySeconds with status.availableReplicas, against the real controllers. v1.37 has
//! both fields; v1.20 drops them and updates one pod at a time, each once the last is Ready.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::objects::sts;
use crate::support::{assert_exit, env, eventually, json, stdout};

const NEW: &str = "registry.example/app:2";

fn row<'a>(doc: &'a Value, pod: &str) -> &'a Value {
    doc["ordinals"].as_array().unwrap().iter().find(|r| r["pod"] == pod).unwrap_or_else(|| panic!("no {pod} in {doc}"))
}

/// Parallel, 4 replicas, maxUnavailable 2, the new pods held in ContainerCreating. v1.37 (the
/// MaxUnavailableStatefulSet gate on by default) replaces web-3 and web-2 at once and waits on
/// both; v1.20 drops the field and replaces web-3 alone, web-2 waiting on the old revision.
#[tokio::test(flavor = "multi_thread")]
async fn max_unavailable_updates_several_ordinals_at_once() {
    let Some(env) = env("modern-max-unavailable").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    let modern = env.server_minor().await >= 37;
    let max = json!({ "updateStrategy": { "rollingUpdate": { "maxUnavailable": 2 } } });
    env.create_sts(&sts("web", 4).parallel().with(max)).await;
    env.wait_ready("web", 4).await;
    for pod in ["web-2", "web-3"] {
        kubelet.hold(pod);
    }
    let update = env.set_image("web", NEW).await.update;
    let updating: &[&str] = if modern { &["web-3", "web-2"] } else { &["web-3"] };
    for pod in updating {
        kubelet.wait_held(pod).await;
    }
    let ready = 4 - updating.len() as i32;
    env.wait_status("web", &format!("{ready} ready"), |s| s.ready_replicas == Some(ready)).await;

    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "Progressing", "{doc}");
    assert_eq!(doc["statefulset"]["maxUnavailable"], if modern { json!("2") } else { Value::Null });
    let revisions: Vec<&str> =
        doc["ordinals"].as_array().unwrap().iter().map(|r| r["revision"].as_str().unwrap()).collect();
    let want =
        if modern { ["current", "current", "update", "update"] } else { ["current", "current", "current", "update"] };
    assert_eq!(revisions, want, "{doc}");
    for pod in updating {
        assert_eq!(env.pod_view(pod).await.unwrap().revision, update);
        assert_eq!(
            (row(&doc, pod)["ready"].as_bool(), row(&doc, pod)["waiting"].as_str()),
            (Some(false), Some("ContainerCreating"))
        );
    }
    assert_eq!(doc["controllerNext"], json!({ "action": "waitReady", "pods": updating }), "{doc}");
    assert_eq!(doc["blockingPod"], "web-3");
    let reason = doc["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("waiting for web-3 to be Running and Ready (it is Pending, ContainerCreating)"),
        "{reason}"
    );
    let both = "and for web-2 (Pending, ContainerCreating): maxUnavailable 2 and 2 pods unavailable, so the controller \
                replaces no other pod until one of them is available";
    assert_eq!(reason.ends_with(both), modern, "{reason}");
    let note = row(&doc, "web-2")["note"].as_str().unwrap();
    if modern {
        assert_eq!(
            note,
            "the controller waits for it too (Pending, ContainerCreating; counted against maxUnavailable 2)"
        );
    } else {
        assert_eq!(note, "to be updated");
    }
    let notes = doc["notes"].as_array().unwrap();
    assert_eq!(notes.iter().any(|n| n.as_str().unwrap().starts_with("maxUnavailable 2: ")), modern, "{notes:?}");
    let out = env.run(&["rollout", "web"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.contains("generation 2 observed, maxUnavailable 2\n"), modern, "{text}");

    // Stuck once every waited-on pod has been unready for longer than --stuck-after.
    let stuck = eventually("the rollout judged stuck", Duration::from_secs(30), || async {
        let doc = env.rollout_json("web", &["--stuck-after", "1s"]).await;
        (doc["phase"] == "Stuck").then_some(doc)
    })
    .await;
    assert!(updating.contains(&stuck["blockingPod"].as_str().unwrap()), "{stuck}");
    let out = env.run(&["rollout", "web", "--stuck-after", "1s"]).await;
    assert_exit(&out, 5);

    for pod in ["web-2", "web-3"] {
        kubelet.release(pod);
    }
    env.wait_status("web", "the rollout done", |s| {
        s.updated_replicas == Some(4) && s.ready_replicas == Some(4) && s.current_revision == s.update_revision
    })
    .await;
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "Done", "{doc}");
    assert_eq!(doc["controllerNext"], json!({ "action": "nothing", "pods": [] }));
}

/// OrderedReady with minReadySeconds 20. v1.37: web-0 is Ready but not yet available, so the
/// controller waits before it creates web-1 (status.availableReplicas 0), then both become
/// available. v1.20 drops the field (no availableReplicas either): web-1 is created as soon as
/// web-0 is Ready, and Ready counts as available.
#[tokio::test(flavor = "multi_thread")]
async fn min_ready_seconds_shows_ready_before_available() {
    let Some(env) = env("modern-min-ready").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    let modern = env.server_minor().await >= 25;
    env.create_sts(&sts("web", 2).with(json!({ "minReadySeconds": 20 }))).await;
    env.wait_pod("web-0", "Ready", |p| p.ready).await;
    if !modern {
        // No field, no wait: web-1 follows web-0 at once, and the status has no availableReplicas.
        let s = env.wait_ready("web", 2).await;
        assert_eq!(s.spec.unwrap().min_ready_seconds, None);
        assert_eq!(s.status.unwrap().available_replicas, None);
        let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
        assert_eq!(doc["statefulset"]["replicas"]["available"], Value::Null, "{doc}");
        let header = stdout(&env.run(&["ordinals", "web"]).await);
        assert!(header.contains(", 2 ready, 2 updated; ordinals [0, 2)\n"), "{header}");
        let doc = env.rollout_json("web", &[]).await;
        assert_eq!(doc["statefulset"]["minReadySeconds"], Value::Null);
        assert_eq!(doc["phase"], "Done", "{doc}");
        let available: Vec<bool> =
            doc["ordinals"].as_array().unwrap().iter().map(|r| r["available"].as_bool().unwrap()).collect();
        assert_eq!(available, [true, true]);
        return;
    }
    // The window is minReadySeconds long: the controller's status says when it is in it.
    env.wait_status("web", "1 ready, 0 available", |s| (s.ready_replicas, s.available_replicas) == (Some(1), Some(0)))
        .await;
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["statefulset"]["replicas"]["available"], 0, "{doc}");
    let web1 = &doc["ordinals"][1];
    assert_eq!((web1["state"].as_str(), web1["issue"].as_str()), (Some("Missing"), Some("waiting-for-lower-ordinal")));
    assert_eq!(
        web1["why"],
        "waiting for web-0 to be available (Ready for minReadySeconds 20): OrderedReady creates pods one at a time, \
         in ordinal order"
    );
    let header = stdout(&env.run(&["ordinals", "web"]).await);
    assert!(header.contains(", 1 ready, 1 updated, 0 available; ordinals [0, 2)\n"), "{header}");
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["statefulset"]["minReadySeconds"], 20);
    assert_eq!(doc["controllerNext"], json!({ "action": "waitAvailable", "pods": ["web-0"] }), "{doc}");
    assert_eq!(doc["reason"], "waiting for web-0 to be available (Ready for minReadySeconds 20)");
    let web0 = row(&doc, "web-0");
    assert_eq!((web0["ready"].as_bool(), web0["available"].as_bool()), (Some(true), Some(false)), "{web0}");
    assert_eq!(web0["note"], "the controller waits for it (Ready, not yet available)");
    let text = stdout(&env.run(&["rollout", "web"]).await);
    assert!(text.contains("generation 1 observed, minReadySeconds 20"), "{text}");
    // The gate's default maxUnavailable 1 is shown as stored, without a note.
    assert!(!text.contains("note: maxUnavailable"), "{text}");

    // Then available: web-1 is created, and is available minReadySeconds after its Ready.
    let s = env.wait_status("web", "2 available", |s| s.available_replicas == Some(2)).await;
    assert_eq!(s.status.unwrap().ready_replicas, Some(2));
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["statefulset"]["replicas"]["available"], 2, "{doc}");
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "Done", "{doc}");
    let available: Vec<bool> =
        doc["ordinals"].as_array().unwrap().iter().map(|r| r["available"].as_bool().unwrap()).collect();
    assert_eq!(available, [true, true]);
}
