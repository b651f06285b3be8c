//! End-to-end tests of `rollout history|diff|undo` on the real StatefulSet controller: a
//! StatefulSet whose image is changed twice (partition 2 keeps web-0 and web-1 on the first
//! revision, so each revision's ordinals are known).

use k8s_openapi::api::apps::v1::StatefulSet;
use serde_json::Value;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{Env, assert_exit, env, json, stderr, stdout};

const V1: &str = "registry.example/app:1";
const V2: &str = "registry.example/app:2";
const V3: &str = "registry.example/app:3";

async fn image_and_version(env: &Env) -> (String, String) {
    let s = env.api::<StatefulSet>().get("web").await.expect("get statefulset");
    let image = s.spec.unwrap().template.spec.unwrap().containers[0].image.clone().unwrap_or_default();
    (image, s.metadata.resource_version.unwrap_or_default())
}

/// Whether the diff `text` takes the image from `old` to `new`.
fn changed(text: &str, old: &str, new: &str) -> bool {
    let line = |sign: char, image: &str| {
        text.lines().any(|l| l.starts_with(sign) && l.trim_start_matches([sign, ' ', '-']) == format!("image: {image}"))
    };
    line('-', old) && line('+', new)
}

/// Changes the image and waits for web-2 (from the partition up) to run it, Ready.
async fn roll_web_2(env: &Env, image: &str) -> String {
    let update = env.set_image("web", image).await.update;
    env.wait_pod("web-2", "on the update revision and Ready", |p| p.revision == update && p.ready).await;
    update
}

#[tokio::test(flavor = "multi_thread")]
async fn history_diff_and_undo_of_an_image_changed_twice() {
    let Some(env) = env("rollout-history").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3).partition(2)).await;
    env.wait_ready("web", 3).await;
    let first = env.revisions("web").await.current;
    let second = roll_web_2(&env, V2).await;
    let third = roll_web_2(&env, V3).await;
    env.wait_controller_sees_ready("web", 3).await;

    // history: three revisions, web-0 and web-1 on the first (current), web-2 on the third (update).
    let out = env.run(&["rollout", "history", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "rollout_history", normalize(&stdout(&out), &env.ns));
    let doc = json(&env.run(&["rollout", "history", "web", "-o", "json"]).await);
    assert_eq!(doc["kind"], "RolloutHistory");
    let revisions = doc["revisions"].as_array().unwrap();
    let names: Vec<&str> = revisions.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, [first.as_str(), second.as_str(), third.as_str()]);
    let ordinals: Vec<&Value> = revisions.iter().map(|r| &r["ordinals"]).collect();
    assert_eq!(ordinals, [&serde_json::json!([0, 1]), &serde_json::json!([]), &serde_json::json!([2])]);
    assert_eq!((revisions[0]["current"].as_bool(), revisions[2]["update"].as_bool()), (Some(true), Some(true)));

    // diff: current -> update by default shows the image line; a revision against the live spec.
    let out = env.run(&["rollout", "diff", "web"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(changed(&text, V1, V3), "{text}");
    crate::server_snapshot!(env, "rollout_diff", normalize(&text, &env.ns));
    let doc = json(&env.run(&["rollout", "diff", "web", "--from", "2", "--to", "live", "-o", "json"]).await);
    assert_eq!(doc["kind"], "RolloutDiff");
    assert!(changed(doc["diff"].as_str().unwrap(), V2, V3), "{doc}");
    let out = env.run(&["rollout", "diff", "web", "--from", "9"]).await;
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("revision 9 not found in the history of web: it has 1, 2, 3"), "{}", stderr(&out));

    // undo --dry-run: the plan and the diff, nothing changed.
    let before = image_and_version(&env).await;
    let out = env.run(&["rollout", "undo", "web", "--dry-run"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(changed(&text, V3, V2), "{text}");
    assert!(text.contains("dry run: the server accepted the template of revision"), "{text}");
    assert_eq!(image_and_version(&env).await, before);

    // Without a terminal and without --yes: declined; the current revision is a no-op: refused.
    let out = env.run(&["rollout", "undo", "web"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("not confirmed: no terminal to ask on; pass --yes"), "{}", stderr(&out));
    let out = env.run(&["rollout", "undo", "web", "--to-revision", "3", "--yes"]).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("nothing to undo: the template of web is already revision"), "{}", stderr(&out));
    assert_eq!(image_and_version(&env).await, before);

    // undo --yes: the previous template is back and the controller rolls web-2 back to it, as
    // revision 4 of the same ControllerRevision.
    let out = env.run(&["rollout", "undo", "web", "--yes", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["kind"], "RolloutUndo");
    assert_eq!(doc["action"]["status"], "Restored");
    assert_eq!(doc["plan"]["to"]["name"], second.as_str());
    assert_eq!(image_and_version(&env).await.0, V2);
    env.wait_pod("web-2", "rolled back to the second revision", |p| p.revision == second && p.ready).await;
    let r = env.revisions("web").await;
    assert_eq!(r.update, second);
    let doc = json(&env.run(&["rollout", "history", "web", "-o", "json"]).await);
    let back = doc["revisions"].as_array().unwrap().iter().find(|r| r["name"] == second.as_str()).unwrap().clone();
    assert_eq!(back["number"], 4);
    assert_eq!(back["ordinals"], serde_json::json!([2]));
}
