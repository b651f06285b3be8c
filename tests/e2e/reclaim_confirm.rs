//! End-to-end tests of `reclaim --delete`'s confirmation on a terminal: the plan shown before the
//! question, and a declined answer or Ctrl-C recorded in the JSON document.

use super::*;

/// The same shared prompt as force-delete: with stdout redirected, the plan table is shown on the
/// terminal before the question it asks about.
#[tokio::test(flavor = "multi_thread")]
async fn a_prompt_with_stdout_redirected_shows_the_plan_first() {
    let Some(env) = env("reclaim-redirected").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    scaled_down(&env, 2, 1).await;

    let session = env.run_on_terminal(&["reclaim", "web", "--delete"], "[y/N]", "n").await;
    assert_exit(&session.out, 3);
    let screen = &session.screen;
    let asked = screen.find("Delete 1 claim(s) (data-web-1)?").unwrap_or_else(|| panic!("no question:\n{screen}"));
    let before = &screen[..asked];
    assert!(before.contains("CONFIDENCE") && before.contains("data-web-1"), "plan not shown first:\n{screen}");
    assert!(stdout(&session.out).contains("CONFIDENCE"), "{}", stdout(&session.out));
    assert!(claim(&env, "data-web-1").await.is_some_and(|c| c.metadata.deletion_timestamp.is_none()));

    // Answered no with -o json: the document records it.
    let session = env.run_on_terminal(&["reclaim", "web", "--delete", "-o", "json"], "[y/N]", "n").await;
    assert_exit(&session.out, 3);
    let doc = json(&session.out);
    assert_eq!((doc["action"]["status"].as_str(), &doc["results"]), (Some("Declined"), &Value::Null), "{doc}");
    assert_eq!(doc["action"]["detail"], "not confirmed: nothing was changed", "{doc}");
    assert!(claim(&env, "data-web-1").await.is_some_and(|c| c.metadata.deletion_timestamp.is_none()));

    // Ctrl-C at the prompt declines too (exit 3, not 130), and the document says so.
    let session = env.interrupt_on_terminal(&["reclaim", "web", "--delete", "-o", "json"], "[y/N]").await;
    assert_exit(&session.out, 3);
    let doc = json(&session.out);
    assert_eq!(doc["action"]["status"], "Declined", "{doc}");
    assert_eq!(doc["action"]["detail"], "not confirmed (interrupted): nothing was changed", "{doc}");
    assert!(claim(&env, "data-web-1").await.is_some_and(|c| c.metadata.deletion_timestamp.is_none()));
}

/// The only candidate came into use between the plan and the confirmation: nothing was deleted, so
/// the run is refused (exit 3, `NotReclaimed`), not partial (4: some changes were applied).
#[tokio::test(flavor = "multi_thread")]
async fn nothing_deleted_after_the_confirmation_exits_3_not_partial() {
    let Some(env) = env("reclaim-none-deleted").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    scaled_down(&env, 2, 1).await;

    let pods = env.api::<k8s_openapi::api::core::v1::Pod>();
    let mount = move || {
        let object: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": { "name": "backup", "labels": { "role": "backup" } },
            "spec": {
                "containers": [{ "name": "c", "image": "registry.example/backup:1" }],
                "volumes": [{ "name": "v0", "persistentVolumeClaim": { "claimName": "data-web-1" } }]
            }
        }))
        .expect("pod json");
        tokio::runtime::Handle::current()
            .block_on(pods.create(&kube::api::PostParams::default(), &object))
            .expect("create backup pod");
    };
    let session = env.run_on_terminal_with(&["reclaim", "web", "--delete", "-o", "json"], "[y/N]", mount, "y").await;
    assert_exit(&session.out, 3);
    let doc = json(&session.out);
    assert_eq!(doc["action"]["status"], "NotReclaimed", "{doc}");
    assert_eq!(doc["results"][0]["outcome"], "inUse", "{doc}");
    assert!(
        doc["action"]["detail"]
            .as_str()
            .unwrap()
            .ends_with("1 of 1 claims not reclaimed: data-web-1; nothing was changed"),
        "{doc}"
    );
    assert!(claim(&env, "data-web-1").await.is_some_and(|c| c.metadata.deletion_timestamp.is_none()));
}
