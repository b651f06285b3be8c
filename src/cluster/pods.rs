//! A StatefulSet's pods as `ordinals`, `rollout` and its follower read them: the pods its selector
//! matches, plus the pods holding one of its ordinals' names that the selector does not match (a
//! debug pod, another controller's pod): the controller cannot create its own pod under a name
//! that is taken, so these decide why an ordinal stays missing.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};

use super::{ApiError, Cluster, Op};
use crate::model::{self, names};

impl Cluster {
    /// One LIST of the pods matching `sts`'s selector, plus, only when an ordinal in range has no
    /// pod among them, the pods holding an ordinal's name ([`Cluster::name_holders`]).
    pub async fn pods_of(&self, sts: &model::StatefulSet) -> Result<Vec<model::Pod>, ApiError> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), &sts.namespace);
        let op = Op::of::<core::Pod>("list").ns(sts.namespace.clone());
        let mut pods = Vec::new();
        let params = ListParams::default().labels(&sts.selector.to_query());
        self.list_each(&api, params, op, |p| pods.push(model::Pod::from(&p))).await?;
        let present: BTreeSet<String> = pods.iter().map(|p| p.name.clone()).collect();
        if any_missing(sts, &present) {
            pods.extend(self.name_holders(sts, &present).await?);
        }
        Ok(pods)
    }

    /// The pods of `sts`'s namespace named like one of its pods (`<sts>-<ordinal>`), except those
    /// called `present`: one paged metadata-only LIST of the namespace's pods (names, labels and
    /// owners are all it takes to tell whose a pod is), so its cost stays small in a namespace of
    /// thousands of pods.
    pub async fn name_holders(
        &self,
        sts: &model::StatefulSet,
        present: &BTreeSet<String>,
    ) -> Result<Vec<model::Pod>, ApiError> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), &sts.namespace);
        let op = Op::of::<core::Pod>("list").ns(sts.namespace.clone());
        let mut holders = Vec::new();
        self.pages(
            ListParams::default(),
            op,
            |p| {
                let api = &api;
                async move { api.list_metadata(&p).await }
            },
            |m| {
                let name = m.metadata.name.as_deref().unwrap_or_default();
                if !present.contains(name) && names::pod_ordinal(&sts.name, name).is_some() {
                    holders.push(model::Pod::from_metadata(&m.metadata));
                }
            },
        )
        .await?;
        Ok(holders)
    }
}

/// Whether an ordinal in range has no pod among `present`.
fn any_missing(sts: &model::StatefulSet, present: &BTreeSet<String>) -> bool {
    sts.ordinal_range().any(|i| !present.contains(&names::pod_name(&sts.name, i)))
}
