//! A StatefulSet's revision history as plain data: its ControllerRevisions with the pod templates
//! they hold, the live `spec.template`, and its pods (which carry their revision's name in
//! `controller-revision-hash`). What `rollout history|diff|undo` work on.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use serde_json::Value;

use super::{ControllerRevision, Pod, StatefulSet};

/// The annotation `kubectl --record` and tools set; the controller copies the StatefulSet's
/// annotations onto each ControllerRevision it makes.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

#[derive(Debug, Clone)]
pub struct RevisionTemplate {
    pub revision: ControllerRevision,
    pub change_cause: Option<String>,
    /// `spec.template` as the revision stores it, in the form the live template is read in
    /// (through k8s-openapi's PodTemplateSpec: a stored `creationTimestamp: null` and the
    /// `$patch: replace` directive dropped), so that equal templates compare equal; None when its
    /// data holds no template.
    pub template: Option<Value>,
    /// The revision's data as stored: the strategic-merge patch `rollout undo` applies
    /// (`{"spec":{"template":{..., "$patch":"replace"}}}`).
    pub data: Option<Value>,
}

impl RevisionTemplate {
    /// From the revision's data, as if it were stored with `template` (fixtures).
    pub fn new(revision: ControllerRevision, change_cause: Option<&str>, template: Value) -> Self {
        let template = canonical(template);
        let mut patched = template.clone();
        if let Value::Object(m) = &mut patched {
            m.insert("$patch".into(), Value::String("replace".into()));
        }
        RevisionTemplate {
            revision,
            change_cause: change_cause.map(String::from),
            template: Some(template),
            data: Some(serde_json::json!({ "spec": { "template": patched } })),
        }
    }
}

impl From<&apps::ControllerRevision> for RevisionTemplate {
    fn from(r: &apps::ControllerRevision) -> Self {
        let data = r.data.as_ref().map(|d| d.0.clone());
        let template = data.as_ref().and_then(|d| d.pointer("/spec/template")).cloned().map(|mut t| {
            if let Value::Object(m) = &mut t {
                m.remove("$patch");
            }
            canonical(t)
        });
        RevisionTemplate {
            revision: ControllerRevision::from(r),
            change_cause: r.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE).cloned()),
            template,
            data,
        }
    }
}

/// A pod template as k8s-openapi writes it (the form of the live template): unset fields, null
/// ones included, left out. A template it cannot read stays as it is.
pub fn canonical(template: Value) -> Value {
    serde_json::from_value::<core::PodTemplateSpec>(template.clone())
        .ok()
        .and_then(|t| serde_json::to_value(t).ok())
        .unwrap_or(template)
}

/// What the revision commands read: the StatefulSet, its live template, its revisions (sorted by
/// number) and its pods.
#[derive(Debug, Clone)]
pub struct RevisionHistory {
    pub sts: StatefulSet,
    /// `spec.template` as stored now.
    pub live_template: Value,
    pub revisions: Vec<RevisionTemplate>,
    pub pods: Vec<Pod>,
}

impl RevisionHistory {
    pub fn new(sts: StatefulSet, live_template: Value, mut revisions: Vec<RevisionTemplate>, pods: Vec<Pod>) -> Self {
        revisions
            .sort_by(|a, b| a.revision.revision.cmp(&b.revision.revision).then(a.revision.name.cmp(&b.revision.name)));
        RevisionHistory { sts, live_template: canonical(live_template), revisions, pods }
    }

    pub fn by_name(&self, name: &str) -> Option<&RevisionTemplate> {
        self.revisions.iter().find(|r| r.revision.name == name)
    }

    pub fn by_number(&self, number: i64) -> Option<&RevisionTemplate> {
        self.revisions.iter().rev().find(|r| r.revision.revision == number)
    }
}
