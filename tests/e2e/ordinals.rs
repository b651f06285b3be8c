use std::time::Duration;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{assert_exit, env, stdout};

/// The foundation test: the real controller creates pods and claims, the simulator makes them
/// Running/Ready/Bound, the binary reads them back.
#[tokio::test(flavor = "multi_thread")]
async fn reads_a_statefulset_made_by_the_real_controller() {
    let Some(env) = env("ordinals-basic").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3)).await;
    env.wait_ready("web", 3).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-2"]).await;
    let _ = &kubelet;

    let out = env.run(&["ordinals", "web"]).await;
    assert_exit(&out, 0);
    insta::assert_snapshot!("ordinals_healthy", normalize(&stdout(&out), &env.ns));

    let out = env.run(&["ordinals", "web", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["apiVersion"], "sts-doctor.io/v1");
    assert_eq!(doc["kind"], "Ordinals");
    let states: Vec<&str> = doc["ordinals"].as_array().unwrap().iter().map(|o| o["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["Running", "Running", "Running"]);
    assert_eq!(doc["ordinals"][1]["nodeHealth"]["state"], "Ready");
    tokio::time::sleep(Duration::from_millis(1)).await;
}
