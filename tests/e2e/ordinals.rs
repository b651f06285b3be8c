use std::time::Duration;

use serde_json::Value;

use crate::support::normalize::normalize;
use crate::support::objects::sts;
use crate::support::{assert_exit, env, eventually, json, stderr, stdout};

fn row<'a>(doc: &'a Value, list: &str, key: &str, name: &str) -> &'a Value {
    doc[list].as_array().unwrap().iter().find(|r| r[key] == name).unwrap_or_else(|| panic!("no {name} in {doc}"))
}

/// The foundation test: the real controller creates pods and claims, the simulator makes them
/// Running/Ready/Bound, the binary reads them back.
#[tokio::test(flavor = "multi_thread")]
async fn reads_a_statefulset_made_by_the_real_controller() {
    let Some(env) = env("ordinals-basic").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("web", 3)).await;
    env.wait_ready("web", 3).await;
    env.wait_claims_bound(&["data-web-0", "data-web-1", "data-web-2"]).await;

    let out = env.run(&["ordinals", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "ordinals_healthy", normalize(&stdout(&out), &env.ns));

    let out = env.run(&["ordinals", "web", "-o", "json"]).await;
    assert_exit(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["apiVersion"], "sts-doctor.io/v1");
    assert_eq!(doc["kind"], "Ordinals");
    let states: Vec<&str> = doc["ordinals"].as_array().unwrap().iter().map(|o| o["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["Running", "Running", "Running"]);
    assert_eq!(doc["ordinals"][1]["nodeHealth"]["state"], "Ready");

    let out = env.run(&["claims", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "claims_healthy", normalize(&stdout(&out), &env.ns));

    let out = env.run(&["ordinals", "web", "-o", "yaml"]).await;
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("apiVersion: sts-doctor.io/v1\nkind: Ordinals\n"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn ordered_ready_waits_on_a_pending_pod() {
    let Some(env) = env("ordinals-blocked").await else { return };
    let kubelet = env.kubelet(&["n1"]).await;
    kubelet.hold("web-1");
    env.create_sts(&sts("web", 3)).await;
    env.wait_pods(&["web-0", "web-1"]).await;
    kubelet.wait_held("web-1").await;
    // The header is the controller's status: wait until it counts web-1 (created, not Ready). Having
    // seen web-1 not Ready, OrderedReady does not create web-2.
    env.wait_status("web", "2 replicas, 1 ready, 2 updated", |s| {
        (s.replicas, s.ready_replicas, s.updated_replicas) == (2, Some(1), Some(2))
    })
    .await;

    let out = env.run(&["ordinals", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "ordinals_blocked", normalize(&stdout(&out), &env.ns));
}

#[tokio::test(flavor = "multi_thread")]
async fn scale_down_orphans_and_a_backup_pod_mounting_one() {
    let Some(env) = env("claims-orphans").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("web", 3)).await;
    env.wait_ready("web", 3).await;
    env.scale("web", 1).await;
    env.wait_ready("web", 1).await;
    env.wait_pods(&["web-0"]).await;
    env.create_pod_mounting("backup", &["data-web-2"]).await;
    env.wait_pods(&["web-0", "backup"]).await;

    let out = env.run(&["claims", "web"]).await;
    assert_exit(&out, 0);
    crate::server_snapshot!(env, "claims_orphans", normalize(&stdout(&out), &env.ns));
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let orphan = row(&doc, "claims", "claim", "data-web-2");
    assert_eq!(orphan["inRange"], false);
    assert_eq!(orphan["ownership"], "Labels");
    assert_eq!(orphan["mountedBy"][0], "backup");
}

#[tokio::test(flavor = "multi_thread")]
async fn statefulsets_whose_names_prefix_each_other() {
    let Some(env) = env("prefix").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    env.create_sts(&sts("web-1", 1)).await;
    env.wait_ready("web", 2).await;
    env.wait_ready("web-1", 1).await;

    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    let pods: Vec<&str> = doc["ordinals"].as_array().unwrap().iter().map(|o| o["pod"].as_str().unwrap()).collect();
    assert_eq!(pods, ["web-0", "web-1"]);
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    let claims: Vec<&str> = doc["claims"].as_array().unwrap().iter().map(|o| o["claim"].as_str().unwrap()).collect();
    assert_eq!(claims, ["data-web-0", "data-web-1"]);
    let doc = json(&env.run(&["claims", "web-1", "-o", "json"]).await);
    let claims: Vec<&str> = doc["claims"].as_array().unwrap().iter().map(|o| o["claim"].as_str().unwrap()).collect();
    assert_eq!(claims, ["data-web-1-0"]);
}

/// Lost seconds ago: force-delete would refuse with its default thresholds ("needs 5m"), so
/// `ordinals` and `doctor` say when it will pass instead of suggesting it now.
#[tokio::test(flavor = "multi_thread")]
async fn a_node_lost_less_than_the_threshold_ago_gets_no_command_that_would_be_refused() {
    let Some(env) = env("ordinals-lost-early").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts_spread(&kubelet, &sts("web", 2)).await;
    env.wait_ready("web", 2).await;
    kubelet.lose_node("n2").await;

    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    let lost = row(&doc, "ordinals", "pod", "web-1");
    assert_eq!(lost["issue"], "node-lost", "{lost}");
    assert_eq!(
        (lost["nodeHealth"]["state"].as_str(), lost["nodeHealth"]["suspectLost"].as_bool()),
        (Some("Unknown"), Some(true))
    );
    assert_eq!(lost["ready"], false);
    assert!(lost["why"].as_str().unwrap().contains("looks lost"), "{lost}");
    let suggestion = lost["suggestion"].as_str().unwrap();
    let when = regex::Regex::new(r"^in (?:(\d+)m)?(\d+)s \(at \d\d:\d\d:\d\dZ; force-delete refuses before: ").unwrap();
    let parts = when.captures(suggestion).unwrap_or_else(|| panic!("{suggestion}"));
    let minutes: i64 = parts.get(1).map_or(0, |m| m.as_str().parse().unwrap());
    let wait = minutes * 60 + parts[2].parse::<i64>().unwrap();
    // The node went Unknown seconds ago; the default --not-ready-for is 5m.
    assert!((240..=300).contains(&wait), "{suggestion}");
    assert!(suggestion.contains(&format!("): kubectl sts-doctor -n {} force-delete web-1 --node-fenced", env.ns)));
    // Run now, the command would indeed be refused.
    let out = env.run(&["force-delete", "web-1", "--node-fenced", "--yes"]).await;
    assert_exit(&out, 3);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("needs 5m"), "{said}");

    let doc = json(&env.run(&["doctor", "web", "-o", "json"]).await);
    let finding = doc["statefulsets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "pod-on-lost-node")
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(when.is_match(finding["suggestion"].as_str().unwrap()), "{finding}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_pod_holding_an_ordinals_name() {
    let Some(env) = env("ordinals-foreign").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_pod_mounting("web-2", &[]).await;
    env.create_sts(&sts("web", 3)).await;
    env.wait_pods(&["web-0", "web-1", "web-2"]).await;
    // The controller creates web-0 and web-1, then keeps failing to create web-2.
    let doc = eventually("web-0 and web-1 running", Duration::from_secs(60), || async {
        let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
        let running = |pod: &str| row(&doc, "ordinals", "pod", pod)["state"] == "Running";
        (running("web-0") && running("web-1")).then_some(doc)
    })
    .await;
    let foreign = row(&doc, "ordinals", "pod", "web-2");
    assert_eq!(foreign["state"], "Foreign");
    assert!(foreign["why"].as_str().unwrap().contains("its labels do not match the selector app=web"), "{foreign}");
}

/// The real 1.20 controller's sync stops at a create that fails, with Parallel too: web-2 is never
/// created behind the foreign web-1, and the status is not written either (no observedGeneration).
/// ordinals must blame web-1, not a stopped controller.
#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_pod_with_parallel_blocks_later_ordinals_only_before_1_28() {
    let Some(env) = env("ordinals-foreign-parallel").await else { return };
    env.create_pod_mounting("web-1", &[]).await;
    env.create_sts(&sts("web", 3).parallel()).await;
    if env.server_minor().await >= 28 {
        // Since 1.28 a Parallel sync creates every missing pod before it returns the failed
        // create's error: web-2 is made; web-1 is still the foreign pod, reported as such.
        env.wait_pods(&["web-0", "web-1", "web-2"]).await;
        let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
        let web1 = row(&doc, "ordinals", "pod", "web-1");
        assert_eq!(web1["issue"].as_str(), Some("foreign"), "{web1}");
        let out = env.run(&["doctor", "-o", "json"]).await;
        assert_exit(&out, 7);
        let doc = json(&out);
        let codes: Vec<&str> = doc["statefulsets"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"ordinal-foreign") && !codes.contains(&"ordinal-blocked"), "{codes:?}");
        return;
    }
    env.wait_pods(&["web-0", "web-1"]).await;
    // Give the 1.20 controller several syncs to (not) create web-2.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["statefulset"]["observedGeneration"], Value::Null, "the 1.20 controller writes no status: {doc}");
    let web2 = row(&doc, "ordinals", "pod", "web-2");
    assert_eq!((web2["state"].as_str(), web2["issue"].as_str()), (Some("Missing"), Some("waiting-for-lower-ordinal")));
    assert!(web2["why"].as_str().unwrap().starts_with("waiting for web-1, whose create fails"), "{web2}");
    let out = env.run(&["doctor", "-o", "json"]).await;
    assert_exit(&out, 7);
    let doc = json(&out);
    let codes: Vec<&str> =
        doc["statefulsets"][0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"ordinal-foreign") && codes.contains(&"ordinal-blocked"), "{codes:?}");
    assert!(!codes.contains(&"controller-behind"), "{codes:?}");
}

/// Cluster DNS answers a pod's name only from the addresses the endpoints controller publishes as
/// ready: `dnsPublished` must say what the real controller's Endpoints say.
#[tokio::test(flavor = "multi_thread")]
async fn dns_names_are_published_only_for_ready_pods_unless_the_service_says_so() {
    use k8s_openapi::api::core::v1::{Pod, Service};
    use kube::api::{Patch, PatchParams};

    let Some(env) = env("ordinals-dns").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2)).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;
    // web-1 fails its readiness probe: Running, with an IP, not Ready.
    kubelet.freeze("n2");
    let not_ready = serde_json::json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } });
    env.api::<Pod>().patch_status("web-1", &PatchParams::default(), &Patch::Merge(&not_ready)).await.expect("status");
    wait_ready_addresses(&env, "web", &["web-0"]).await;
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    let dns = |doc: &Value, pod: &str| {
        let r = row(doc, "ordinals", "pod", pod);
        (r["dns"].as_str().map(String::from), r["dnsPublished"].as_bool(), r["dnsNote"].as_str().map(String::from))
    };
    let name = |pod: &str| Some(format!("{pod}.web.{}.svc", env.ns));
    assert_eq!(dns(&doc, "web-0"), (name("web-0"), Some(true), None), "{doc}");
    assert_eq!(dns(&doc, "web-1"), (name("web-1"), Some(false), Some("not Ready".into())), "{doc}");
    let table = stdout(&env.run(&["ordinals", "web"]).await);
    assert!(table.contains(&format!("web-1.web.{}.svc (not published: not Ready)", env.ns)), "{table}");

    let publish = serde_json::json!({ "spec": { "publishNotReadyAddresses": true } });
    env.api::<Service>().patch("web", &PatchParams::default(), &Patch::Merge(&publish)).await.expect("service");
    wait_ready_addresses(&env, "web", &["web-0", "web-1"]).await;
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["statefulset"]["service"]["publishNotReadyAddresses"], true, "{doc}");
    assert_eq!(dns(&doc, "web-1"), (name("web-1"), Some(true), None), "{doc}");
}

/// Waits until service `svc`'s Endpoints list exactly the pods `want` as ready addresses (the
/// ones cluster DNS serves records for).
async fn wait_ready_addresses(env: &crate::support::Env, svc: &str, want: &[&str]) {
    use k8s_openapi::api::core::v1::Endpoints;
    eventually("the endpoints controller", Duration::from_secs(30), || async {
        let ep = env.api::<Endpoints>().get(svc).await.ok()?;
        let mut names: Vec<String> = ep
            .subsets
            .iter()
            .flatten()
            .flat_map(|s| s.addresses.iter().flatten())
            .filter_map(|a| a.target_ref.as_ref()?.name.clone())
            .collect();
        names.sort();
        (names == want).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_errors_for_missing_objects_and_permissions() {
    let Some(env) = env("errors").await else { return };
    let out = env.run(&["ordinals", "nope"]).await;
    assert_exit(&out, 1);
    assert_eq!(stderr(&out), format!("error: statefulset \"nope\" not found in namespace \"{}\"\n", env.ns));

    let out = env.run(&["ordinals", "Bad_Name"]).await;
    assert_exit(&out, 2);
    assert!(stderr(&out).starts_with("error: invalid statefulset name \"Bad_Name\""), "{}", stderr(&out));

    let out = env.run_as(&env.viewer_kubeconfig(), &["ordinals", "web"]).await;
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out).lines().next().unwrap(),
        format!(
            "error: cannot get statefulset \"web\" in namespace \"{ns}\": forbidden: the current user needs RBAC \
             permission to get statefulsets.apps (statefulsets.apps \"web\" is forbidden: User \"viewer\" cannot get \
             resource \"statefulsets\" in API group \"apps\" in the namespace \"{ns}\")",
            ns = env.ns
        )
    );

    let out = crate::support::run_binary(
        vec![
            "--kubeconfig".into(),
            env.kubeconfig.display().to_string(),
            "--context".into(),
            "nope".into(),
            "ordinals".into(),
            "web".into(),
        ],
        &[],
    )
    .await;
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: cannot use kubeconfig"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

/// `kubectl sts-doctor <TAB>` through the kubectl plugin-completion protocol: names come from
/// the cluster, in the namespace typed on the line.
#[tokio::test(flavor = "multi_thread")]
async fn completes_statefulset_and_pod_names_from_the_cluster() {
    let Some(env) = env("complete").await else { return };
    let _kubelet = env.kubelet(&["n1"]).await;
    env.create_sts(&sts("web", 1)).await;
    env.create_sts(&sts("db", 1).no_service()).await;
    env.wait_ready("web", 1).await;
    let kubeconfig = env.kubeconfig.display().to_string();
    let complete = |words: Vec<&str>| {
        let mut args: Vec<String> = vec!["__complete".into(), "--kubeconfig".into(), kubeconfig.clone()];
        args.extend(words.into_iter().map(String::from));
        crate::support::run_binary(args, &[])
    };
    let out = complete(vec!["-n", &env.ns, "ordinals", ""]).await;
    assert_eq!(stdout(&out), "db\nweb\n:4\n");
    let out = complete(vec!["-n", &env.ns, "rollout", "w"]).await;
    assert_eq!(stdout(&out), "web\n:4\n");
    let out = complete(vec!["-n", &env.ns, "force-delete", "web-"]).await;
    assert_eq!(stdout(&out), "web-0\n:4\n");
    // drain-check: node names (this test's node is named after its namespace).
    let out = complete(vec!["drain-check", &env.ns]).await;
    assert_eq!(stdout(&out), format!("{}-n1\n:4\n", env.ns));
    let out = complete(vec!["-n", &env.ns[..env.ns.len() - 1]]).await;
    assert!(stdout(&out).lines().any(|l| l == env.ns), "{}", stdout(&out));
}
