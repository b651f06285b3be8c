//! Object builders for tests: StatefulSets, headless services, plain pods.

use std::time::Duration;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{Env, eventually};

/// A StatefulSet spec to tweak before creating it.
#[derive(Clone)]
pub struct StsSpec {
    pub name: String,
    pub replicas: i32,
    pub templates: Vec<(String, String)>,
    pub parallel: bool,
    pub partition: Option<i32>,
    pub on_delete: bool,
    pub image: String,
    pub service: Option<String>,
    pub labels: Value,
    /// Pods tolerate an unreachable or not-ready node forever (no eviction by taint).
    pub tolerate_lost_node: bool,
    /// Fields merged into `spec` as written (newer API fields: ordinals, retention policy,
    /// maxUnavailable, minReadySeconds); a server without a field drops it.
    pub extra: Value,
}

pub fn sts(name: &str, replicas: i32) -> StsSpec {
    StsSpec {
        name: name.into(),
        replicas,
        templates: vec![("data".into(), "1Gi".into())],
        parallel: false,
        partition: None,
        on_delete: false,
        image: "registry.example/app:1".into(),
        service: Some(name.into()),
        labels: json!({ "app": name }),
        tolerate_lost_node: false,
        extra: json!({}),
    }
}

impl StsSpec {
    pub fn templates(mut self, templates: &[(&str, &str)]) -> Self {
        self.templates = templates.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        self
    }
    pub fn parallel(mut self) -> Self {
        self.parallel = true;
        self
    }
    pub fn partition(mut self, p: i32) -> Self {
        self.partition = Some(p);
        self
    }
    pub fn on_delete(mut self) -> Self {
        self.on_delete = true;
        self
    }
    pub fn image(mut self, image: &str) -> Self {
        self.image = image.into();
        self
    }
    /// Pods tolerate `node.kubernetes.io/unreachable` and `not-ready` forever: on a lost node they
    /// stay Running, not Ready, instead of being evicted (Terminating) by taint eviction.
    pub fn tolerate_lost_node(mut self) -> Self {
        self.tolerate_lost_node = true;
        self
    }
    pub fn no_service(mut self) -> Self {
        self.service = None;
        self
    }
    /// Merges `fields` into the spec (objects merge key by key, as a JSON merge patch would).
    pub fn with(mut self, fields: Value) -> Self {
        merge(&mut self.extra, fields);
        self
    }

    pub fn to_json(&self) -> Value {
        let templates: Vec<Value> = self
            .templates
            .iter()
            .map(|(name, size)| {
                json!({
                    "metadata": { "name": name },
                    "spec": { "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": size } } }
                })
            })
            .collect();
        let mounts: Vec<Value> =
            self.templates.iter().map(|(name, _)| json!({ "name": name, "mountPath": format!("/{name}") })).collect();
        let tolerations: Vec<Value> = if self.tolerate_lost_node {
            ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"]
                .iter()
                .map(|key| json!({ "key": key, "operator": "Exists", "effect": "NoExecute" }))
                .collect()
        } else {
            vec![]
        };
        let strategy = if self.on_delete {
            json!({ "type": "OnDelete" })
        } else {
            json!({ "type": "RollingUpdate", "rollingUpdate": { "partition": self.partition.unwrap_or(0) } })
        };
        let mut object = json!({
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": { "name": self.name },
            "spec": {
                "replicas": self.replicas,
                "serviceName": self.name,
                "podManagementPolicy": if self.parallel { "Parallel" } else { "OrderedReady" },
                "updateStrategy": strategy,
                "selector": { "matchLabels": self.labels },
                "template": {
                    "metadata": { "labels": self.labels },
                    "spec": {
                        "terminationGracePeriodSeconds": 30,
                        "containers": [{ "name": "app", "image": self.image, "volumeMounts": mounts }],
                        "tolerations": tolerations
                    }
                },
                "volumeClaimTemplates": templates
            }
        });
        merge(&mut object["spec"], self.extra.clone());
        object
    }
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                merge(into.entry(k).or_insert(Value::Null), v);
            }
        }
        (into, from) => *into = from,
    }
}

impl Env {
    /// Creates the StatefulSet (and its headless service unless `no_service`).
    pub async fn create_sts(&self, spec: &StsSpec) -> StatefulSet {
        if let Some(svc) = &spec.service {
            self.create_service(svc, true, &spec.labels).await;
        }
        let object: StatefulSet = serde_json::from_value(spec.to_json()).expect("sts json");
        self.api::<StatefulSet>().create(&PostParams::default(), &object).await.expect("create statefulset")
    }

    /// Creates an OrderedReady StatefulSet with ordinal i placed on the kubelet's i-th node
    /// (round-robin), so that which pod runs where is the same in every run.
    pub async fn create_sts_spread(&self, kubelet: &crate::support::Kubelet, spec: &StsSpec) -> StatefulSet {
        assert!(!spec.parallel, "Parallel creates its pods at once: they cannot be placed one by one");
        kubelet.schedule_only_on(&[&kubelet.first_node()]).await;
        let created = self.create_sts(spec).await;
        kubelet.spread_ordinals(&spec.name, spec.replicas).await;
        created
    }

    pub async fn create_service(&self, name: &str, headless: bool, selector: &Value) -> Service {
        let mut spec = json!({ "selector": selector, "ports": [{ "port": 80, "name": "http" }] });
        if headless {
            spec["clusterIP"] = json!("None");
        }
        let object: Service =
            serde_json::from_value(json!({ "metadata": { "name": name }, "spec": spec })).expect("svc json");
        self.api::<Service>().create(&PostParams::default(), &object).await.expect("create service")
    }

    /// A plain pod (e.g. a backup job) that mounts `claims`; not bound anywhere unless a kubelet runs.
    pub async fn create_pod_mounting(&self, name: &str, claims: &[&str]) -> Pod {
        let volumes: Vec<Value> = claims
            .iter()
            .enumerate()
            .map(|(i, c)| json!({ "name": format!("v{i}"), "persistentVolumeClaim": { "claimName": c } }))
            .collect();
        let object: Pod = serde_json::from_value(json!({
            "metadata": { "name": name, "labels": { "role": "backup" } },
            "spec": { "containers": [{ "name": "c", "image": "registry.example/backup:1" }], "volumes": volumes }
        }))
        .expect("pod json");
        self.api::<Pod>().create(&PostParams::default(), &object).await.expect("create pod")
    }

    pub async fn scale(&self, sts: &str, replicas: i32) {
        self.patch_sts(sts, json!({ "spec": { "replicas": replicas } })).await;
    }

    pub async fn patch_sts(&self, sts: &str, patch: Value) -> StatefulSet {
        self.api::<StatefulSet>()
            .patch(sts, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch statefulset")
    }

    /// Waits until the controller reports `ready` Ready replicas and has observed the latest spec.
    pub async fn wait_ready(&self, sts: &str, ready: i32) -> StatefulSet {
        let api = self.api::<StatefulSet>();
        eventually(&format!("statefulset {sts} with {ready} ready replicas"), Duration::from_secs(90), || {
            let api = api.clone();
            async move {
                let s = api.get(sts).await.ok()?;
                let status = s.status.clone()?;
                let observed = status.observed_generation? >= s.metadata.generation?;
                (observed && status.ready_replicas.unwrap_or(0) == ready && status.replicas == ready).then_some(s)
            }
        })
        .await
    }

    /// Waits until the controller reports `ready` Ready replicas for the latest spec, whatever
    /// the number of pods: its own status is the sign that its informer has seen the pods' readiness,
    /// which it acts on (and tests snapshot) rather than on what the test last wrote.
    pub async fn wait_controller_sees_ready(&self, sts: &str, ready: i32) -> StatefulSet {
        let what = format!("{ready} ready replicas");
        self.wait_status(sts, &what, |s| s.ready_replicas.unwrap_or(0) == ready).await
    }

    /// Waits until the controller has observed the latest spec and its status satisfies `check`.
    pub async fn wait_status(&self, sts: &str, what: &str, check: impl Fn(&StatefulSetStatus) -> bool) -> StatefulSet {
        let api = self.api::<StatefulSet>();
        eventually(&format!("the controller to report {what} for {sts}"), Duration::from_secs(90), || async {
            let s = api.get(sts).await.ok()?;
            let status = s.status.as_ref()?;
            let observed = status.observed_generation? >= s.metadata.generation?;
            (observed && check(status)).then_some(s)
        })
        .await
    }

    /// Waits until exactly `names` are the pods of the namespace (any phase).
    pub async fn wait_pods(&self, names: &[&str]) {
        let api = self.api::<Pod>();
        let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        want.sort();
        eventually(&format!("pods {want:?}"), Duration::from_secs(90), || {
            let (api, want) = (api.clone(), want.clone());
            async move {
                let mut have: Vec<String> = api
                    .list(&Default::default())
                    .await
                    .ok()?
                    .items
                    .into_iter()
                    .filter_map(|p| p.metadata.name)
                    .collect();
                have.sort();
                (have == want).then_some(())
            }
        })
        .await
    }

    /// Waits until the claims in `unused` carry the `Unused` condition, on servers whose PVC
    /// protection controller writes it (1.37: PersistentVolumeClaimUnusedSinceTime, beta) once no
    /// pod mounts a claim, and then until the namespace's claims stop changing (the same
    /// resourceVersions for 2s). A plan made before that write fails its resourceVersion
    /// precondition, as it should.
    pub async fn wait_claims_settled(&self, unused: &[&str]) {
        if self.server_minor().await >= 37 {
            let api = self.api::<PersistentVolumeClaim>();
            for name in unused {
                eventually(&format!("claim {name} marked Unused"), Duration::from_secs(60), || {
                    let api = api.clone();
                    async move {
                        let c = api.get(name).await.ok()?;
                        let conditions = c.status?.conditions.unwrap_or_default();
                        conditions.iter().any(|c| c.type_ == "Unused" && c.status == "True").then_some(())
                    }
                })
                .await;
            }
        }
        let api = self.api::<PersistentVolumeClaim>();
        let versions = || async {
            let list = api.list(&Default::default()).await.expect("list claims").items;
            list.into_iter().map(|c| c.metadata.resource_version).collect::<Vec<_>>()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut last = versions().await;
        let mut since = tokio::time::Instant::now();
        while since.elapsed() < Duration::from_secs(2) {
            assert!(tokio::time::Instant::now() < deadline, "claims still changing after 30s");
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = versions().await;
            if now != last {
                (last, since) = (now, tokio::time::Instant::now());
            }
        }
    }

    /// Waits until every claim in `names` is Bound.
    pub async fn wait_claims_bound(&self, names: &[&str]) {
        let api = self.api::<PersistentVolumeClaim>();
        for name in names {
            eventually(&format!("claim {name} Bound"), Duration::from_secs(90), || {
                let api = api.clone();
                async move {
                    let c = api.get(name).await.ok()?;
                    (c.status?.phase.as_deref() == Some("Bound")).then_some(())
                }
            })
            .await;
        }
    }
}
