//! What `rollout` reads: one StatefulSet, its pods and its ControllerRevisions, in three requests
//! (four when an ordinal has no pod: see `Cluster::pods_of`).

use jiff::Timestamp;
use k8s_openapi::api::apps::v1 as apps;
use kube::api::{Api, ListParams};

use super::server_time::ServerTime;
use super::{ApiError, Cluster, Op, optional};
use crate::model::{self, Part};

/// The objects a rollout status is computed from, and the API server's clock when they were read.
#[derive(Debug, Clone)]
pub struct RolloutInputs {
    /// The API server's time (see [`ServerTime`]).
    pub now: Timestamp,
    /// The API server's clock and version, read once at the start.
    pub server: ServerTime,
    pub sts: model::StatefulSet,
    /// Pods matching the StatefulSet's selector and, when an ordinal in range has none, the pods
    /// of other owners holding an ordinal's name (`Cluster::pods_of`; ownership is judged by the
    /// pure code).
    pub pods: Vec<model::Pod>,
    /// Its ControllerRevisions, or why they could not be read.
    pub revisions: Part<Vec<model::ControllerRevision>>,
}

impl Cluster {
    pub async fn statefulset(&self, namespace: &str, name: &str) -> Result<model::StatefulSet, ApiError> {
        let api: Api<apps::StatefulSet> = Api::namespaced(self.client.clone(), namespace);
        let op = Op::of::<apps::StatefulSet>("get").ns(namespace.to_string()).name(name);
        Ok(model::StatefulSet::from(&self.call(op, api.get(name)).await?))
    }

    /// GET the StatefulSet, then LIST its pods (and the pods holding its ordinals' names) and its
    /// ControllerRevisions by its selector.
    pub async fn rollout_inputs(
        &self,
        namespace: &str,
        name: &str,
        server: &ServerTime,
    ) -> Result<RolloutInputs, ApiError> {
        let sts = self.statefulset(namespace, name).await?;
        let (pods, revisions) = futures::join!(self.pods_of(&sts), self.revisions_of(&sts));
        // Unreadable (403): numbers and trap causes get vaguer without them; the status still works.
        let revisions = optional(revisions)?;
        Ok(RolloutInputs { now: server.now(), server: server.clone(), sts, pods: pods?, revisions })
    }

    /// The ControllerRevisions the StatefulSet controls (matched by selector, then by owner UID).
    pub async fn revisions_of(&self, sts: &model::StatefulSet) -> Result<Vec<model::ControllerRevision>, ApiError> {
        let api: Api<apps::ControllerRevision> = Api::namespaced(self.client.clone(), &sts.namespace);
        let op = Op::of::<apps::ControllerRevision>("list").ns(sts.namespace.clone());
        let mut revisions = Vec::new();
        let params = ListParams::default().labels(&sts.selector.to_query());
        self.list_each(&api, params, op, |r| {
            let revision = model::ControllerRevision::from(&r);
            if revision.controlled_by(&sts.uid) {
                revisions.push(revision);
            }
        })
        .await?;
        Ok(revisions)
    }
}
