//! ControllerRevision as plain data: the StatefulSet controller's history of pod templates.
//! Pods carry the name of the revision they were made from in `controller-revision-hash`; the
//! `revision` number orders them (a rollback to an older template re-uses its ControllerRevision
//! and gives it a new, higher number).

use jiff::Timestamp;
use k8s_openapi::api::apps::v1 as apps;
use serde::Serialize;

use super::{OwnerRef, meta_time, owner_refs};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllerRevision {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// Position in the history: higher is newer.
    pub revision: i64,
    pub created: Option<Timestamp>,
    /// The controlling ownerReference (the StatefulSet), if any.
    pub controller: Option<OwnerRef>,
}

impl ControllerRevision {
    pub fn controlled_by(&self, uid: &str) -> bool {
        self.controller.as_ref().is_some_and(|o| o.uid == uid)
    }
}

impl From<&apps::ControllerRevision> for ControllerRevision {
    fn from(r: &apps::ControllerRevision) -> Self {
        let m = &r.metadata;
        ControllerRevision {
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            revision: r.revision,
            created: meta_time(&m.creation_timestamp),
            controller: owner_refs(m).into_iter().find(|o| o.controller),
        }
    }
}
