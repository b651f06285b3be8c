//! End-to-end tests of `reclaim` on an autoscaled StatefulSet: claims its HorizontalPodAutoscaler
//! may reuse are kept, `doctor` and `claims` agree, and without the right to read autoscalers
//! nothing is reclaimed (`claims` still works, and says they may be reserved). The real 1.20 HPA controller runs: with no metrics API it reports errors and, with
//! replicas inside [minReplicas, maxReplicas], never rescales.

use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler;
use kube::api::PostParams;

use super::*;

/// (claim, flag kinds) of a `claims -o json` document, in its order.
fn flag_kinds(doc: &Value) -> Vec<(&str, Vec<&str>)> {
    let rows = doc["claims"].as_array().unwrap().iter();
    rows.map(|c| {
        let kinds = c["flags"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
        (c["claim"].as_str().unwrap(), kinds)
    })
    .collect()
}

fn claim_flag<'a>(doc: &'a Value, claim: &str) -> &'a Value {
    let row = doc["claims"].as_array().unwrap().iter().find(|c| c["claim"] == claim);
    &row.unwrap_or_else(|| panic!("no {claim}: {doc}"))["flags"][0]
}

async fn create_hpa(env: &Env, target: &str, min: i32, max: i32) {
    let object: HorizontalPodAutoscaler = serde_json::from_value(json!({
        "metadata": { "name": target },
        "spec": { "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "StatefulSet", "name": target },
                  "minReplicas": min, "maxReplicas": max, "targetCPUUtilizationPercentage": 80 }
    }))
    .unwrap();
    env.api::<HorizontalPodAutoscaler>().create(&PostParams::default(), &object).await.expect("create HPA");
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_the_autoscaler_reuses_are_kept() {
    let Some(env) = env("reclaim-autoscaled").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    scaled_down(&env, 4, 1).await;
    create_hpa(&env, "web", 1, 3).await;

    let doc = json(&env.run(&["reclaim", "web", "-o", "json"]).await);
    assert_eq!(claims_of(&doc, "candidates"), ["data-web-3"]);
    for name in ["data-web-1", "data-web-2"] {
        let skip = skipped(&doc, name);
        assert_eq!(skip["kind"], "autoscaled", "{skip}");
        assert!(
            skip["reason"].as_str().unwrap().starts_with(
                "kept for HorizontalPodAutoscaler web: it scales web between 1 and 3 replicas, up to ordinals [0, 3)"
            ),
            "{skip}"
        );
    }
    // doctor counts the same orphans.
    let out = env.run(&["doctor", "web", "-o", "json"]).await;
    let doc = json(&out);
    let orphaned: Vec<&str> = doc["statefulsets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "claims-orphaned")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(orphaned, ["1 claim(s) left by scale-down, which reclaim would delete: data-web-3"], "{doc}");
    // claims too: reserved for the autoscaler (info), not orphans; data-web-3 is beyond maxReplicas.
    let out = env.run(&["claims", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "claims_autoscaled", normalize(&stdout(&out), &env.ns));
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let reserved = vec!["autoscaler-reserved"];
    assert_eq!(
        flag_kinds(&doc),
        [
            ("data-web-0", vec![]),
            ("data-web-1", reserved.clone()),
            ("data-web-2", reserved),
            ("data-web-3", vec!["orphan"])
        ],
        "{doc}"
    );
    let flag = claim_flag(&doc, "data-web-2");
    assert_eq!(flag["severity"], "info", "{flag}");
    assert!(
        flag["message"].as_str().unwrap().contains("HorizontalPodAutoscaler web (minReplicas 1, maxReplicas 3)"),
        "{flag}"
    );
    assert_eq!(doc["unavailable"], json!([]), "{doc}");

    // A user who may not read autoscalers: the plan names what is missing, nothing is deleted.
    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: no-hpa\n  namespace: NS\n\
                rules:\n- apiGroups: [\"apps\"]\n  resources: [\"statefulsets\"]\n  verbs: [\"get\", \"list\"]\n\
                - apiGroups: [\"\"]\n  resources: [\"pods\", \"persistentvolumeclaims\"]\n  verbs: [\"list\", \"delete\"]\n\
                ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: viewer-no-hpa\n  \
                namespace: NS\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-hpa}\n\
                subjects:\n- {kind: User, name: viewer, apiGroup: rbac.authorization.k8s.io}\n";
    env.apply_manifest(&role.replace("NS", &env.ns)).await;
    let viewer = env.viewer_kubeconfig();
    for args in [&["reclaim", "web"][..], &["reclaim", "web", "--delete", "--yes"]] {
        let out = env.run_as(&viewer, args).await;
        assert_exit(&out, 3);
        let err = stderr(&out);
        assert!(
            err.starts_with("error: autoscalers could not be checked (cannot list horizontalpodautoscalers")
                && err.contains("needs RBAC permission to list horizontalpodautoscalers.autoscaling")
                && err.contains("may scale web back up over ordinals 1, 2, 3 and reuse their claims")
                && err.contains("(nothing was changed)"),
            "{err}"
        );
        let text = stdout(&out);
        assert!(text.contains("note: HorizontalPodAutoscalers cannot be read"), "{text}");
        assert!(text.contains("data-web-3: not reclaimed as autoscalers could not be checked"), "{text}");
    }
    assert!(claim(&env, "data-web-3").await.unwrap().metadata.deletion_timestamp.is_none());
    // claims does not fail: the claims stay orphans that one may reserve, and it says what it could not read.
    let out = env.run_as(&viewer, &["claims", "web", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    let orphan = vec!["orphan"];
    assert_eq!(
        flag_kinds(&doc),
        [
            ("data-web-0", vec![]),
            ("data-web-1", orphan.clone()),
            ("data-web-2", orphan.clone()),
            ("data-web-3", orphan)
        ],
        "{doc}"
    );
    let flag = claim_flag(&doc, "data-web-1");
    assert_eq!(flag["severity"], "warning", "{flag}");
    assert!(
        flag["message"].as_str().unwrap().ends_with(
            "; autoscalers could not be checked, so it may be reserved for a HorizontalPodAutoscaler that scales web \
             back up over it (reclaim refuses to delete it until they can be read)"
        ),
        "{flag}"
    );
    let unavailable = doc["unavailable"].as_array().unwrap();
    let autoscalers = unavailable.iter().find(|u| u["part"] == "autoscalers").unwrap_or_else(|| panic!("{doc}"));
    assert!(autoscalers["reason"].as_str().unwrap().contains("cannot list horizontalpodautoscalers"), "{doc}");

    let out = env.run(&["reclaim", "web", "--delete", "--yes"]).await;
    assert_exit(&out, 0);
    wait_gone(&env, "data-web-3").await;
    for name in ["data-web-1", "data-web-2"] {
        let kept = claim(&env, name).await.expect("kept for the autoscaler");
        assert!(kept.metadata.deletion_timestamp.is_none(), "{name}");
    }
    let web = env.api::<StatefulSet>().get("web").await.unwrap();
    assert_eq!(web.spec.unwrap().replicas, Some(1), "the HPA controller did not rescale (no metrics)");
}
