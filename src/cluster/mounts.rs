//! Who uses which claim right now: the last check before claims are deleted.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};

use super::{ApiError, Cluster, Op};
use crate::model::{self, ObjectKey, key};

impl Cluster {
    /// Every claim referenced by a pod, with those pods' names: one paged LIST of pods in
    /// `namespace` (None: all namespaces).
    pub async fn claim_users(&self, namespace: Option<&str>) -> Result<BTreeMap<ObjectKey, Vec<String>>, ApiError> {
        let api: Api<core::Pod> = match namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        };
        let op = Op::of::<core::Pod>("list").ns(namespace.map(String::from));
        let mut users: BTreeMap<ObjectKey, Vec<String>> = BTreeMap::new();
        self.list_each(&api, ListParams::default(), op, |pod| {
            let pod = model::Pod::from(&pod);
            for claim in &pod.claims {
                users.entry(key(&pod.namespace, claim)).or_default().push(pod.name.clone());
            }
        })
        .await?;
        Ok(users)
    }
}
