//! A pod the StatefulSet does not control holds an ordinal's name: the real 1.20 controller keeps
//! failing to create its own pod there, and `rollout` must say so (as `ordinals` and `doctor` do),
//! at once and while following.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::objects::sts;
use crate::support::{assert_exit, env, json, stderr, stdout};

fn codes(doc: &Value) -> Vec<String> {
    doc["statefulsets"][0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().into()).collect()
}

/// A standalone pod db-3 (labels not matched by the selector, no owner), then `db` scaled 3 -> 5.
#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_pod_holding_an_ordinals_name_blocks_the_rollout() {
    let Some(env) = env("rollout-foreign").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("db", 3)).await;
    env.wait_ready("db", 3).await;
    env.create_pod_mounting("db-3", &[]).await;
    env.scale("db", 5).await;
    env.wait_pods(&["db-0", "db-1", "db-2", "db-3"]).await;

    // Shown once: stuck (exit 5), naming the pod and the way out.
    let out = env.run(&["rollout", "db"]).await;
    assert_exit(&out, 5);
    let text = stdout(&out);
    let reason = "stuck: db-3 is held by a pod this StatefulSet does not control (its labels do not match the \
                  selector app=db): the controller cannot create its own db-3";
    assert!(text.contains(reason), "{text}");
    assert!(text.contains(&format!("delete it (`kubectl delete pod db-3 -n {}`)", env.ns)), "{text}");
    let held = text.lines().find(|l| l.starts_with("3 ")).unwrap_or_default();
    assert!(
        held.contains("Foreign") && held.ends_with("stuck: held by a pod of another owner: delete or rename it"),
        "{text}"
    );
    assert!(!text.contains("next: created"), "{text}");
    assert!(stderr(&out).starts_with("error: stuck: db-3 is held by a pod"), "{}", stderr(&out));

    let doc = env.rollout_json("db", &[]).await;
    assert_eq!((doc["phase"].as_str(), doc["blockingPod"].as_str()), (Some("Stuck"), Some("db-3")), "{doc}");
    assert_eq!(
        (doc["ordinals"][3]["state"].as_str(), doc["ordinals"][3]["exists"].as_bool()),
        (Some("Foreign"), Some(false))
    );
    assert_eq!(doc["ordinals"][4]["state"], "Missing");

    // Followed: stuck at once, not after --timeout.
    let started = Instant::now();
    let out = env.run(&["rollout", "db", "--watch", "--stuck-after", "5s", "--timeout", "60s"]).await;
    assert_exit(&out, 5);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert!(stderr(&out).starts_with("error: stuck: db-3 is held by a pod"), "{}", stderr(&out));

    // doctor: ordinal-foreign, and no rollout finding that says the controller creates db-3.
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    let found = codes(&json(&out));
    assert!(found.contains(&"ordinal-foreign".to_string()), "{found:?}");
    assert!(!found.iter().any(|c| c.starts_with("rollout-")), "{found:?}");
    assert!(!stdout(&out).contains("the controller creates db-3"), "{}", stdout(&out));
}

/// The name is taken while the rollout is followed: the pod watch (by selector) cannot see the
/// foreign pod, so the follower looks for it once the controller's create of db-3 does not appear.
#[tokio::test(flavor = "multi_thread")]
async fn a_name_taken_while_following_is_found_when_its_create_does_not_appear() {
    let Some(env) = env("rollout-foreign-follow").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    kubelet.hold("db-2");
    env.create_sts(&sts("db", 3)).await;
    env.wait_pods(&["db-0", "db-1", "db-2"]).await;
    let mut follow = env.spawn(&["rollout", "db", "--watch", "--timeout", "90s"]);
    follow.wait_for_line("progressing: waiting for db-2").await;
    env.create_pod_mounting("db-3", &[]).await;
    env.scale("db", 4).await;
    kubelet.release("db-2");
    let started = Instant::now();
    let (code, out, err) = follow.finish().await;
    assert_eq!(code, Some(5), "{out}\n{err}");
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(out.contains("\nstuck: db-3 is held by a pod this StatefulSet does not control"), "{out}");
    assert!(err.starts_with("error: stuck: db-3 is held by a pod"), "{err}");
}
