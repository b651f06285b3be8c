use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, PersistentVolume};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::objects::sts;
use crate::support::{assert_exit, env, json, stdout};

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

    kubelet.lose_node("n1").await;
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let pinned = &doc["claims"][0]["pinnedNode"];
    assert_eq!((pinned["node"].as_str(), pinned["state"].as_str()), (Some(node.as_str()), Some("Unknown")), "{doc}");
    assert_eq!((pinned["leaseStale"].as_bool(), pinned["suspectLost"].as_bool()), (Some(true), Some(true)), "{doc}");
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    assert!(codes(&json(&out)).iter().any(|c| c.contains("claim-pinned-to-lost-node")), "{}", stdout(&out));
    let _ = env.cluster_api::<PersistentVolume>().delete(&pv_name, &DeleteParams::default()).await;
}

/// A pod the StatefulSet does not control holds web-1's name while the OrderedReady controller
/// waits on web-0: data-web-1 does not exist, which is no claim error (the controller creates an
/// ordinal's claims just before its pod, in CreateStatefulPod); the foreign pod is. Once web-0 is
/// Ready the real controller creates data-web-1, then fails to create its own web-1.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_claim_next_to_a_foreign_pod_is_not_reported_as_lost_data() {
    let Some(env) = env("claims-foreign").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    kubelet.hold("web-0");
    env.create_pod_mounting("web-1", &[]).await;
    env.create_sts(&sts("web", 2)).await;
    env.wait_pods(&["web-0", "web-1"]).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let claim = &doc["claims"][1];
    assert_eq!((claim["claim"].as_str(), claim["status"].as_str()), (Some("data-web-1"), Some("Missing")), "{doc}");
    let flag = &claim["flags"][0];
    assert_eq!((flag["kind"].as_str(), flag["severity"].as_str()), (Some("missing"), Some("warning")), "{doc}");
    assert!(flag["message"].as_str().unwrap().contains("web-1 is not this StatefulSet's pod"), "{flag}");
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    let found = codes(&json(&out));
    assert!(found.contains(&"\"ordinal-foreign\"".to_string()), "{found:?}");
    assert!(!found.contains(&"\"claim-missing\"".to_string()), "{found:?}");

    kubelet.release("web-0");
    crate::support::eventually("the controller to create data-web-1", Duration::from_secs(60), || async {
        let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
        (doc["claims"][1]["status"] != "Missing").then_some(())
    })
    .await;
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["ordinals"][1]["state"], "Foreign", "{doc}");
}

/// A claim made by hand at 5Gi next to a 1Gi template was never expanded: it is "more than the
/// template's", not "expanded". A claim whose request was raised after it was created is
/// expanded, with the evidence: the managedFields entry that took the request over.
#[tokio::test(flavor = "multi_thread")]
async fn a_claim_larger_than_its_template_is_expanded_only_with_evidence() {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;

    let Some(env) = env("claims-size").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    let class = env.create_expandable_class().await;
    env.create_claim("data-web-0", "5Gi", json!({ "app": "web" }), Some(&class)).await;
    env.create_claim("data-web-1", "1Gi", json!({ "app": "web" }), Some(&class)).await;
    env.create_sts(&sts("web", 2).parallel()).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1"]).await;
    let raise = json!({ "spec": { "resources": { "requests": { "storage": "2Gi" } } } });
    let params = PatchParams { field_manager: Some("e2e-resize".into()), ..PatchParams::default() };
    env.api::<PersistentVolumeClaim>().patch("data-web-1", &params, &Patch::Merge(&raise)).await.expect("resize");

    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let drift = |claim: &str| {
        let row = doc["claims"].as_array().unwrap().iter().find(|c| c["claim"] == claim).unwrap();
        let flag = row["flags"].as_array().unwrap().iter().find(|f| f["kind"] == "size-drift");
        flag.unwrap_or_else(|| panic!("{claim}: no size-drift in {doc}"))["message"].as_str().unwrap().to_string()
    };
    let made = drift("data-web-0");
    assert!(made.starts_with("requests 5Gi, more than the template's 1Gi (expanded, or created larger): "), "{made}");
    let raised = drift("data-web-1");
    assert!(
        raised.starts_with(
            "expanded to 2Gi beyond the template's 1Gi (managedFields: its storage request was last set by \
             e2e-resize, not by its creator "
        ),
        "{raised}"
    );
    env.delete_storage_class(&class).await;
}
