//! `rollout -o json|yaml` prints exactly one document per run, whatever became of `--step/--to`
//! or `--fix`: refused, declined (no terminal, no --yes), a dry run, or done.

use serde_json::{Value, json};

use crate::support::objects::sts;
use crate::support::{assert_exit, env, json, stderr, stdout};

const NEW: &str = "registry.example/app:2";

#[tokio::test(flavor = "multi_thread")]
async fn every_step_and_fix_path_prints_one_document() {
    let Some(env) = env("rollout-json").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 3).partition(2)).await;
    env.wait_ready("web", 3).await;
    let update = env.set_image("web", NEW).await.update;
    env.wait_pod("web-2", "updated and Ready", |p| p.revision == update && p.ready).await;

    // Declined: no terminal and no --yes. The plan and the status are in the document.
    let out = env.run(&["rollout", "web", "--to", "0", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["kind"], "Rollout");
    assert_eq!(doc["phase"], "PartitionComplete", "{doc}");
    assert_eq!(doc["fix"], Value::Null);
    let step = &doc["step"];
    assert_eq!(step["action"]["status"], "Declined", "{step}");
    assert_eq!(step["action"]["dryRun"], false);
    assert!(step["action"]["detail"].as_str().unwrap().starts_with("not confirmed: no terminal"), "{step}");
    assert_eq!(step["plan"]["from"], 2);
    assert_eq!(step["plan"]["steps"], json!([0]));
    assert_eq!(step["plan"]["updates"], json!([["web-1", "web-0"]]));
    assert_eq!(step["results"], json!([]));
    assert!(stderr(&out).contains("plan: lower the partition of web 2 -> 0"), "{}", stderr(&out));

    // A dry run: the server accepted the first partition, nothing changed.
    let out = env.run(&["rollout", "web", "--step", "1", "--dry-run", "-o", "json"]).await;
    assert_exit(&out, 0);
    let step = json(&out)["step"].clone();
    assert_eq!(step["action"]["status"], "DryRun", "{step}");
    assert_eq!(step["action"]["dryRun"], true);
    assert_eq!(step["results"], json!([{ "partition": 1, "outcome": "wouldSet", "updates": ["web-1"] }]));
    assert_eq!(env.partition("web").await, 2);

    // Refused before any plan: nothing to lower to.
    let out = env.run(&["rollout", "web", "--to", "2", "--yes", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["step"]["plan"], Value::Null, "{doc}");
    assert_eq!(
        doc["step"]["action"],
        json!({ "status": "NotTaken", "dryRun": false, "detail": "the partition of web is already 2" })
    );
    assert_eq!(doc["phase"], "PartitionComplete");
    // The same in YAML: one document.
    let out = env.run(&["rollout", "web", "--to", "2", "--yes", "-o", "yaml"]).await;
    assert_exit(&out, 3);
    let text = stdout(&out);
    assert!(text.starts_with("apiVersion: sts-doctor.io/v1\nkind: Rollout\n"), "{text}");
    assert_eq!(text.matches("apiVersion:").count(), 1, "{text}");
    assert!(text.contains("status: NotTaken"), "{text}");

    // Nothing to fix: refused, with the status.
    let out = env.run(&["rollout", "web", "--fix", "--yes", "-o", "json"]).await;
    assert_exit(&out, 3);
    let doc = json(&out);
    assert_eq!(doc["step"], Value::Null);
    assert_eq!(doc["fix"]["plan"], Value::Null, "{doc}");
    assert_eq!(doc["fix"]["action"]["status"], "NotTaken");
    assert!(
        doc["fix"]["action"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("nothing to fix: the rollout is not in the forced-rollback trap")
    );

    // Done: the partition set, then (without following) the status after it. Without --until a
    // step is one step: 2 -> 1, not on down to 0.
    let out = env.run(&["rollout", "web", "--step", "1", "--yes", "--no-watch", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let step = &doc["step"];
    assert_eq!(step["action"], json!({ "status": "Set", "dryRun": false, "detail": "partition set to 1" }), "{step}");
    assert_eq!(step["results"], json!([{ "partition": 1, "outcome": "set", "updates": ["web-1"] }]));
    assert_eq!(doc["statefulset"]["partition"], 1);
    assert_eq!(env.partition("web").await, 1);
}
