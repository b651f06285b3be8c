//! End-to-end tests of `rollout` on the real 1.20 StatefulSet controller, for what its main
//! scenarios (`rollout.rs`) do not reach: scale-downs, and the follow itself.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::support::objects::sts;
use crate::support::{assert_exit, env, stderr};

const NEW: &str = "registry.example/app:2";

/// Parallel scale-down on the real 1.20 controller: it deletes web-2 and does not wait for it
/// (processCondemned), so the controller has nothing left to do while web-2, on a node that does
/// not confirm the deletion, still runs. That is not done.
#[tokio::test(flavor = "multi_thread")]
async fn a_parallel_scale_down_is_not_done_while_the_removed_pod_still_terminates() {
    let Some(env) = env("rollout-parallel-down").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3).parallel()).await;
    env.wait_ready("web", 3).await;
    // Whichever node web-2 is on stops acting (with Parallel, the pods are placed at once).
    let node = kubelet.node_of("web-2").await;
    kubelet.freeze(&node);
    env.scale("web", 2).await;
    env.wait_pod("web-2", "terminating on the frozen node", |p| p.terminating).await;
    // The controller deletes web-2, then records the generation it observed: until then the
    // rollout only waits for the controller to observe the scale-down.
    env.wait_status("web", "the scale-down observed", |_| true).await;
    let doc = env.rollout_json("web", &[]).await;
    assert_eq!(doc["phase"], "Progressing", "{doc}");
    assert_eq!(doc["blockingPod"], "web-2");
    let reason = doc["reason"].as_str().unwrap();
    assert!(reason.starts_with("waiting for web-2 (Terminating), outside the ordinal range [0, 2)"), "{reason}");
    let out = env.run(&["rollout", "web", "--watch", "--timeout", "3s"]).await;
    assert_exit(&out, 5);
    assert!(stderr(&out).starts_with("error: timed out after 3s: progressing: waiting for web-2"), "{}", stderr(&out));
}

/// Ctrl-C while a step waits for the updated pods: the steps stop, the final report says where the
/// rollout stands and that the partition was not changed (exit 130, interrupted).
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_stepping_says_where_the_steps_stopped() {
    let Some(env) = env("rollout-interrupt").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 2).partition(1)).await;
    env.wait_ready("web", 2).await;
    kubelet.hold("web-1");
    let update = env.set_image("web", NEW).await.update;
    env.wait_pod("web-1", "recreated on the update revision", |p| p.revision == update && p.phase == "Pending").await;
    kubelet.wait_held("web-1").await;
    let mut steps = env.spawn(&["rollout", "web", "--step", "1", "--yes", "--timeout", "60s"]);
    steps.wait_for_line("progressing: waiting for web-1").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    steps.interrupt();
    let (code, out, err) = steps.finish().await;
    assert_eq!(code, Some(130), "{out}\n{err}");
    assert_eq!(
        err,
        "error: interrupted (Ctrl-C): progressing: waiting for web-1 to be Running and Ready (it is Pending, ContainerCreating); the \
         partition was not changed\n"
    );
    assert!(out.contains("\nupdated: 0/1 from the partition up\n"), "{out}");
    let partition = env.api::<StatefulSet>().get("web").await.unwrap().spec.unwrap().update_strategy.unwrap();
    assert_eq!(partition.rolling_update.unwrap().partition, Some(1));
}

/// `--step 1 --until 0 --yes` in a script (no terminal, no --watch): it follows the rollout to its
/// end, as on a terminal, instead of returning right after the last patch with pods still being
/// replaced.
#[tokio::test(flavor = "multi_thread")]
async fn stepping_until_a_partition_without_a_terminal_follows_to_the_end() {
    let Some(env) = env("rollout-until-script").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 2).partition(2)).await;
    env.wait_ready("web", 2).await;
    let update = env.set_image("web", NEW).await.update;
    let out = env.run(&["rollout", "web", "--step", "1", "--until", "0", "--yes", "--timeout", "120s"]).await;
    assert_exit(&out, 0);
    let text = crate::support::stdout(&out);
    assert!(text.contains("\ndone: all 2 pods are on revision"), "{text}");
    for pod in ["web-0", "web-1"] {
        let view = env.pod_view(pod).await.unwrap();
        assert!(view.revision == update && view.ready && !view.terminating, "{pod}: {view:?}");
    }
}
