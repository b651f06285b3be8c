//! `rollout` when the node of the pod it waits on cannot be read.

use clap::Parser;
use serde_json::json;

use super::compute;
use crate::cli::OutputFormat;
use crate::cli::{Cli, Command};
use crate::testing::mock_api::{self, failure, respond};
use crate::testing::{ago, pod, rollout_inputs, sts, with};

/// The pod a stuck rollout waits on is on a node that cannot be read (a 503, a timeout): the
/// status says so, where the operator reads it (table notes, JSON `notes`), not in a log
/// hidden at the default verbosity.
#[tokio::test]
async fn a_node_that_cannot_be_read_is_a_note_of_the_status() {
    let (cluster, mut handle) = mock_api::cluster();
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let path = request.uri().path().to_string();
            assert!(path.ends_with("/nodes/n1") || path.ends_with("/leases/n1"), "{path}");
            send.send_response(respond(503, failure(503, "ServiceUnavailable", "etcdserver: leader changed")));
        }
    });
    let ctx = super::Context {
        cluster,
        output: OutputFormat::Json,
        style: crate::render::style::Style::plain(),
        all_namespaces: false,
    };
    // web-0 is crash-looping on the update revision for 10m: stuck, waiting on it.
    let set = with(
        sts("web", 1),
        json!({ "metadata": { "generation": 2 },
            "status": { "observedGeneration": 2, "updateRevision": "web-r2" } }),
    );
    let broken = with(
        pod("web", 0, "n1"),
        json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } },
            "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(600) }],
                        "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 6, "image": "app:2",
                                                "imageID": "", "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } }),
    );
    let inputs = rollout_inputs(set, vec![broken]);
    let cli = Cli::parse_from(["kubectl-sts_doctor", "-n", "shop", "rollout", "web"]);
    let Some(Command::Rollout(args)) = cli.command else { panic!("not rollout") };
    let status = compute(&inputs, args.follow.stuck_after.0);
    assert!(status.phase.is_blocked() && status.blocking_pod.as_deref() == Some("web-0"), "{status:?}");

    let status = super::with_node_health(&ctx, &inputs, status, &args).await;
    let note = status.notes.iter().find(|n| n.starts_with("cannot tell whether node n1 of web-0 is healthy"));
    let note = note.unwrap_or_else(|| panic!("{:?}", status.notes));
    assert!(note.contains("ServiceUnavailable: etcdserver: leader changed"), "{note}");
    assert!(note.ends_with("`kubectl sts-doctor -n shop force-delete web-0` checks"), "{note}");
}
