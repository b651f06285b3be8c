//! End-to-end tests of what force-delete's plan says will follow.

use crate::support::objects::sts;
use crate::support::{assert_exit, env, lost, stdout};

/// A template whose required node affinity allows only the lost node: the replacement cannot
/// start anywhere else, and the plan says so instead of promising a pod on another node.
#[tokio::test(flavor = "multi_thread")]
async fn the_plan_says_a_replacement_pinned_to_the_lost_node_cannot_start_elsewhere() {
    let Some(env) = env("fd-pinned").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("web", 2).on_delete()).await;
    env.wait_ready("web", 2).await;
    let out = env.run(&["force-delete", "web-1", "--node-fenced", "--yes", "--dry-run"]).await;
    assert_exit(&out, 3);
    // OnDelete: the pods keep running; only a pod created from now on is pinned.
    let n2 = kubelet.node("n2");
    let affinity = serde_json::json!({ "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{ "matchExpressions": [{ "key": "kubernetes.io/hostname", "operator": "In", "values": [n2] }] }]
    } } });
    env.patch_sts("web", serde_json::json!({ "spec": { "template": { "spec": { "affinity": affinity } } } })).await;
    kubelet.lose_node("n2").await;

    let out = env.run(&lost(&["force-delete", "web-1", "--node-fenced", "--yes", "--dry-run"])).await;
    assert_exit(&out, 0);
    let said = stdout(&out);
    let pinned = format!(
        "creates a new web-1 with the same claims, but it cannot start on another node: the template's required \
         node affinity allows only {n2}; it stays Pending until {n2} is back"
    );
    assert!(said.contains(&pinned), "{said}");
    assert!(!said.contains("web-1 on another node"), "{said}");
}
