//! What `rollout history|diff|undo` read: the StatefulSet (with its template), its
//! ControllerRevisions (with their data) and its pods: three requests (four when an ordinal has
//! no pod: see `Cluster::pods_of`).

use k8s_openapi::api::apps::v1 as apps;
use kube::api::{Api, ListParams};

use super::{ApiError, Cluster, Op};
use crate::model::history::{RevisionHistory, RevisionTemplate};
use crate::model::{self};

impl Cluster {
    pub async fn revision_history(&self, namespace: &str, name: &str) -> Result<RevisionHistory, ApiError> {
        let api: Api<apps::StatefulSet> = Api::namespaced(self.client.clone(), namespace);
        let op = Op::of::<apps::StatefulSet>("get").ns(namespace.to_string()).name(name);
        let raw = self.call(op, api.get(name)).await?;
        let sts = model::StatefulSet::from(&raw);
        let live = raw.spec.as_ref().map(|s| serde_json::to_value(&s.template).unwrap_or_default()).unwrap_or_default();
        let (pods, revisions) = futures::join!(self.pods_of(&sts), self.revision_templates(&sts));
        Ok(RevisionHistory::new(sts, live, revisions?, pods?))
    }

    /// The ControllerRevisions the StatefulSet controls, with their templates.
    async fn revision_templates(&self, sts: &model::StatefulSet) -> Result<Vec<RevisionTemplate>, ApiError> {
        let api: Api<apps::ControllerRevision> = Api::namespaced(self.client.clone(), &sts.namespace);
        let op = Op::of::<apps::ControllerRevision>("list").ns(sts.namespace.clone());
        let mut revisions = Vec::new();
        let params = ListParams::default().labels(&sts.selector.to_query());
        self.list_each(&api, params, op, |r| {
            let revision = RevisionTemplate::from(&r);
            if revision.revision.controlled_by(&sts.uid) {
                revisions.push(revision);
            }
        })
        .await?;
        Ok(revisions)
    }
}
