//! RBAC for tests: apply a documented manifest (Roles, bindings, ServiceAccounts) and get a
//! kubeconfig that authenticates as a service account, to run the binary with exactly those rights.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::{Value, json};

use super::{Env, eventually};

impl Env {
    /// Creates every object of a multi-document YAML manifest (ServiceAccount, Role, RoleBinding,
    /// ClusterRole, ClusterRoleBinding). Returns the cluster-scoped ones as (kind, name) for cleanup.
    pub async fn apply_manifest(&self, yaml: &str) -> Vec<(String, String)> {
        let documents: Vec<Value> = serde_saphyr::from_multiple(yaml).expect("manifest YAML");
        let documents: Vec<Value> = documents.into_iter().filter(|d| !d.is_null()).collect();
        let mut cluster_scoped = Vec::new();
        let pp = PostParams::default();
        for doc in documents.iter().cloned() {
            let kind = doc["kind"].as_str().expect("kind").to_string();
            let name = doc["metadata"]["name"].as_str().expect("name").to_string();
            match kind.as_str() {
                "ServiceAccount" => {
                    self.api::<ServiceAccount>().create(&pp, &serde_json::from_value(doc).unwrap()).await.map(drop)
                }
                "Role" => self.api::<Role>().create(&pp, &serde_json::from_value(doc).unwrap()).await.map(drop),
                "RoleBinding" => {
                    self.api::<RoleBinding>().create(&pp, &serde_json::from_value(doc).unwrap()).await.map(drop)
                }
                "ClusterRole" => {
                    cluster_scoped.push((kind.clone(), name.clone()));
                    self.cluster_api::<ClusterRole>().create(&pp, &serde_json::from_value(doc).unwrap()).await.map(drop)
                }
                "ClusterRoleBinding" => {
                    cluster_scoped.push((kind.clone(), name.clone()));
                    self.cluster_api::<ClusterRoleBinding>()
                        .create(&pp, &serde_json::from_value(doc).unwrap())
                        .await
                        .map(drop)
                }
                other => panic!("apply_manifest: kind {other} not supported"),
            }
            .unwrap_or_else(|e| panic!("create {kind} {name}: {e}"));
        }
        // The authorizer sees new bindings through its informers, a moment later: wait until each
        // binding's subjects may do the first thing their role allows.
        for binding in documents.iter().filter(|d| d["kind"] == "RoleBinding" || d["kind"] == "ClusterRoleBinding") {
            let role = documents
                .iter()
                .find(|d| {
                    d["kind"] == binding["roleRef"]["kind"] && d["metadata"]["name"] == binding["roleRef"]["name"]
                })
                .expect("the manifest holds the role each binding refers to");
            let rule = &role["rules"][0];
            let (group, resource, verb) = (
                rule["apiGroups"][0].as_str().unwrap_or_default(),
                rule["resources"][0].as_str().expect("rule resource"),
                rule["verbs"][0].as_str().expect("rule verb"),
            );
            let namespaced = binding["kind"] == "RoleBinding";
            for subject in binding["subjects"].as_array().expect("subjects") {
                let user = match subject["kind"].as_str() {
                    Some("ServiceAccount") => format!(
                        "system:serviceaccount:{}:{}",
                        subject["namespace"].as_str().unwrap_or(&self.ns),
                        subject["name"].as_str().expect("subject name")
                    ),
                    _ => subject["name"].as_str().expect("subject name").to_string(),
                };
                self.wait_allowed(&user, verb, group, resource, namespaced).await;
            }
        }
        cluster_scoped
    }

    /// Waits until `user` may `verb` `resource` (in this namespace when `namespaced`), as the
    /// API server's authorizer sees it: a binding just created takes a moment to count.
    pub async fn wait_allowed(&self, user: &str, verb: &str, group: &str, resource: &str, namespaced: bool) {
        let reviews: Api<SubjectAccessReview> = Api::all(self.client.clone());
        let mut attributes = json!({ "verb": verb, "group": group, "resource": resource });
        if namespaced {
            attributes["namespace"] = json!(self.ns);
        }
        let mut spec = json!({ "user": user, "resourceAttributes": attributes });
        if let Some(rest) = user.strip_prefix("system:serviceaccount:") {
            let ns = rest.split(':').next().unwrap_or_default();
            spec["groups"] =
                json!(["system:serviceaccounts", format!("system:serviceaccounts:{ns}"), "system:authenticated"]);
        }
        let review: SubjectAccessReview = serde_json::from_value(json!({ "spec": spec })).unwrap();
        let what = format!("RBAC to allow {user} to {verb} {resource}");
        eventually(&what, Duration::from_secs(30), || {
            let (reviews, review) = (reviews.clone(), review.clone());
            async move {
                let answer = reviews.create(&PostParams::default(), &review).await.ok()?;
                answer.status.filter(|s| s.allowed).map(drop)
            }
        })
        .await;
    }

    /// Deletes cluster-scoped objects made by [`Env::apply_manifest`].
    pub async fn delete_cluster_scoped(&self, objects: &[(String, String)]) {
        for (kind, name) in objects {
            let dp = DeleteParams::default();
            let _ = match kind.as_str() {
                "ClusterRole" => self.cluster_api::<ClusterRole>().delete(name, &dp).await.map(drop),
                _ => self.cluster_api::<ClusterRoleBinding>().delete(name, &dp).await.map(drop),
            };
        }
    }

    /// A kubeconfig (in `accounts/` next to the admin one, emptied by the cluster's next fresh
    /// start) authenticating as service account `name` of this namespace, with a token from the
    /// TokenRequest API (no token Secret is made for an account since 1.24).
    pub async fn service_account_kubeconfig(&self, name: &str) -> PathBuf {
        let accounts = self.api::<ServiceAccount>();
        eventually(&format!("service account {name}"), Duration::from_secs(30), || {
            let accounts = accounts.clone();
            async move { accounts.get_opt(name).await.ok()?.map(drop) }
        })
        .await;
        let request = serde_json::json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": { "expirationSeconds": 3600 }
        });
        let issued: serde_json::Value = accounts
            .create_subresource::<serde_json::Value, serde_json::Value>(
                "token",
                name,
                &kube::api::PostParams::default(),
                &request,
            )
            .await
            .expect("TokenRequest");
        let token = issued["status"]["token"].as_str().expect("token in TokenRequest status").to_string();
        let admin = std::fs::read_to_string(&self.kubeconfig).expect("read admin kubeconfig");
        let text = admin.replace("token: sts-doctor-admin-token", &format!("token: {token}"));
        assert_ne!(text, admin, "admin kubeconfig has no token line to replace");
        let dir = self.kubeconfig.with_file_name("accounts");
        std::fs::create_dir_all(&dir).expect("create accounts dir");
        let path = dir.join(format!("{}-{name}.kubeconfig", self.ns));
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    /// Grants the user `viewer` a Role `name` in this namespace with `rules` (YAML list items,
    /// "- apiGroups: ...", one per line) and waits until RBAC applies it.
    pub async fn grant_viewer_rules(&self, name: &str, rules: &str) {
        let ns = &self.ns;
        let manifest = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: {name}, namespace: {ns}}}\n\
             rules:\n{rules}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n\
             metadata: {{name: {name}, namespace: {ns}}}\n\
             roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {name}}}\n\
             subjects:\n- {{kind: User, name: viewer, apiGroup: rbac.authorization.k8s.io}}\n"
        );
        self.apply_manifest(&manifest).await;
    }

    /// A kubeconfig for the user `viewer`, who has no RBAC bindings unless a test adds some.
    pub fn viewer_kubeconfig(&self) -> PathBuf {
        self.kubeconfig.with_file_name("viewer.kubeconfig")
    }

    /// Runs the binary in this namespace with another kubeconfig.
    pub async fn run_as(&self, kubeconfig: &std::path::Path, args: &[&str]) -> std::process::Output {
        super::run_binary(self.plugin_args(kubeconfig, args), &[]).await
    }
}
