use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, PersistentVolume};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::objects::sts;
use crate::support::{assert_exit, env, stdout};

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn codes(doctor: &Value) -> Vec<String> {
    doctor["statefulsets"][0]["findings"].as_array().unwrap().iter().map(|f| f["code"].to_string()).collect()
}

/// A local PV's node affinity names the node by its kubernetes.io/hostname label, which the
/// kubelet sets to its hostname: not always the Node's name. The claim's node must be found by
/// that label (no pod runs there to name it), and judged by its own Lease.
#[tokio::test(flavor = "multi_thread")]
async fn local_volume_pinned_by_a_hostname_label_that_is_not_the_node_name() {
    let Some(env) = env("claims-hostname").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    kubelet.stop_provisioning();
    let node = kubelet.node("n1");
    let hostname = format!("{node}-host");
    let label = json!({ "metadata": { "labels": { "kubernetes.io/hostname": hostname } } });
    env.cluster_api::<Node>().patch(&node, &PatchParams::default(), &Patch::Merge(&label)).await.expect("label node");
    env.create_sts(&sts("web", 1)).await;
    let pv_name = format!("pv-{}", env.ns);
    let pv: PersistentVolume = serde_json::from_value(json!({
        "metadata": { "name": pv_name },
        "spec": {
            "capacity": { "storage": "1Gi" }, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "hostPath": { "path": format!("/tmp/sts-doctor-pv/{pv_name}") },
            "claimRef": { "apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": env.ns, "name": "data-web-0" },
            "nodeAffinity": { "required": { "nodeSelectorTerms": [{ "matchExpressions": [
                { "key": "kubernetes.io/hostname", "operator": "In", "values": [hostname] }] }] } }
        }
    }))
    .unwrap();
    env.cluster_api::<PersistentVolume>().create(&PostParams::default(), &pv).await.expect("create pv");
    env.wait_ready("web", 1).await;
    env.wait_claims_bound(&["data-web-0"]).await;
    // No pod left on the node: only the PV names it, by its label.
    env.scale("web", 0).await;
    env.wait_ready("web", 0).await;
    env.wait_pods(&[]).await;

    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let pinned = &doc["claims"][0]["pinnedNode"];
    assert_eq!((pinned["node"].as_str(), pinned["state"].as_str()), (Some(node.as_str()), Some("Ready")), "{doc}");
    assert_eq!(pinned["suspectLost"], false, "{doc}");
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 0);
    assert!(!codes(&json(&out)).iter().any(|c| c.contains("claim-pinned-to-lost-node")), "{}", stdout(&out));

    kubelet.lose_node("n1", Duration::from_secs(600)).await;
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let pinned = &doc["claims"][0]["pinnedNode"];
    assert_eq!((pinned["node"].as_str(), pinned["state"].as_str()), (Some(node.as_str()), Some("Unknown")), "{doc}");
    assert_eq!((pinned["leaseStale"].as_bool(), pinned["suspectLost"].as_bool()), (Some(true), Some(true)), "{doc}");
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    assert!(codes(&json(&out)).iter().any(|c| c.contains("claim-pinned-to-lost-node")), "{}", stdout(&out));
    let _ = env.cluster_api::<PersistentVolume>().delete(&pv_name, &DeleteParams::default()).await;
}
