//! Claims made by hand, as an operator (or a restore tool) makes them next to a StatefulSet's.

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{DeleteParams, PostParams};
use serde_json::{Value, json};

use super::Env;

impl Env {
    /// A claim `name` of `size` (ReadWriteOnce) created directly, labelled `labels`, of storage
    /// class `class` (None: the default); its field manager is this test client, not the
    /// StatefulSet controller.
    pub async fn create_claim(
        &self,
        name: &str,
        size: &str,
        labels: Value,
        class: Option<&str>,
    ) -> PersistentVolumeClaim {
        let mut spec = json!({ "accessModes": ["ReadWriteOnce"], "resources": { "requests": { "storage": size } } });
        if let Some(class) = class {
            spec["storageClassName"] = json!(class);
        }
        let claim: PersistentVolumeClaim =
            serde_json::from_value(json!({ "metadata": { "name": name, "labels": labels }, "spec": spec }))
                .expect("claim json");
        self.api::<PersistentVolumeClaim>().create(&PostParams::default(), &claim).await.expect("create claim")
    }

    /// A StorageClass that allows volume expansion (the API server refuses to resize a claim of
    /// any other), named after this namespace; cluster-scoped, so the test deletes it
    /// ([`Env::delete_storage_class`]).
    pub async fn create_expandable_class(&self) -> String {
        let name = format!("expandable-{}", self.ns);
        let class: StorageClass = serde_json::from_value(json!({
            "metadata": { "name": name },
            "provisioner": "sts-doctor.test/none",
            "allowVolumeExpansion": true
        }))
        .expect("class json");
        self.cluster_api::<StorageClass>().create(&PostParams::default(), &class).await.expect("create class");
        name
    }

    pub async fn delete_storage_class(&self, name: &str) {
        let _ = self.cluster_api::<StorageClass>().delete(name, &DeleteParams::default()).await;
    }
}
