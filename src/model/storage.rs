//! PersistentVolumeClaim and PersistentVolume as plain data.

use jiff::Timestamp;
use k8s_openapi::api::core::v1 as core;
use serde::Serialize;

use super::selector::Labels;
use super::{OwnerRef, meta_time, owner_refs};

/// Annotation the scheduler sets on WaitForFirstConsumer claims: the node the volume was made for.
pub const SELECTED_NODE_ANNOTATION: &str = "volume.kubernetes.io/selected-node";
/// The storage class as it was set before spec.storageClassName (and still honoured, first).
pub const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// The class of a claim or PV as the PV controller reads it (`GetPersistentVolumeClaimClass`,
/// `GetPersistentVolumeClass`): the beta annotation wins over spec.storageClassName. None when
/// neither is set (a claim then gets the default class, if any, when it is created).
pub(crate) fn storage_class(
    annotations: Option<&std::collections::BTreeMap<String, String>>,
    spec: Option<&String>,
) -> Option<String> {
    annotations.and_then(|a| a.get(BETA_STORAGE_CLASS_ANNOTATION)).or(spec).cloned()
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub labels: Labels,
    pub owners: Vec<OwnerRef>,
    pub created: Option<Timestamp>,
    pub deleting: Option<Timestamp>,
    /// Pending, Bound, Lost ("" when unset).
    pub phase: String,
    /// spec.volumeName: the PV it is (or will be) bound to.
    pub volume: Option<String>,
    pub storage_class: Option<String>,
    pub access_modes: Vec<String>,
    /// spec.resources.requests.storage as written.
    pub requested: Option<String>,
    /// status.capacity.storage as written.
    pub capacity: Option<String>,
    pub selected_node: Option<String>,
    /// Resizing / FileSystemResizePending conditions that are True.
    pub resize_conditions: Vec<String>,
    /// status.allocatedResourceStatuses.storage (1.28+ with RecoverVolumeExpansionFailure):
    /// ControllerResizeInProgress, NodeResizePending, ..., ControllerResizeInfeasible.
    pub resize_status: Option<String>,
    /// Field managers that wrote it (metadata.managedFields): who created or changed it.
    /// Empty when the server does not track managed fields (before 1.18).
    pub managers: Vec<String>,
    /// Field managers that own spec.accessModes: required, set when the claim is created and
    /// immutable afterwards, so these are who created it. Empty when unknown.
    pub creators: Vec<String>,
    /// Field managers that own spec.resources.requests.storage: who last set the request (an
    /// update that changes a field takes it over from its earlier manager). Empty when unknown.
    pub size_managers: Vec<String>,
}

impl From<&core::PersistentVolumeClaim> for Claim {
    fn from(c: &core::PersistentVolumeClaim) -> Self {
        let m = &c.metadata;
        let spec = c.spec.as_ref();
        let status = c.status.as_ref();
        Claim {
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            resource_version: m.resource_version.clone().unwrap_or_default(),
            labels: m.labels.as_ref().map(Labels::from).unwrap_or_default(),
            owners: owner_refs(m),
            created: meta_time(&m.creation_timestamp),
            deleting: meta_time(&m.deletion_timestamp),
            phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
            volume: spec.and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty()),
            storage_class: storage_class(m.annotations.as_ref(), spec.and_then(|s| s.storage_class_name.as_ref())),
            access_modes: spec.and_then(|s| s.access_modes.clone()).unwrap_or_default(),
            requested: spec
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| q.0.clone()),
            capacity: status.and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(|q| q.0.clone()),
            selected_node: m.annotations.as_ref().and_then(|a| a.get(SELECTED_NODE_ANNOTATION).cloned()),
            resize_conditions: status
                .and_then(|s| s.conditions.as_ref())
                .into_iter()
                .flatten()
                .filter(|c| c.status == "True")
                .map(|c| c.type_.clone())
                .collect(),
            resize_status: status
                .and_then(|s| s.allocated_resource_statuses.as_ref())
                .and_then(|r| r.get("storage"))
                .filter(|r| !r.is_empty())
                .cloned(),
            managers: {
                let mut managers: Vec<String> =
                    m.managed_fields.iter().flatten().filter_map(|f| f.manager.clone()).collect();
                managers.sort();
                managers.dedup();
                managers
            },
            creators: field_managers(m, &["f:spec", "f:accessModes"]),
            size_managers: field_managers(m, &["f:spec", "f:resources", "f:requests", "f:storage"]),
        }
    }
}

/// The managers whose managedFields entries own the field at `path` (FieldsV1 keys), sorted.
fn field_managers(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, path: &[&str]) -> Vec<String> {
    let mut managers: Vec<String> = m
        .managed_fields
        .iter()
        .flatten()
        .filter(|f| {
            let mut at = f.fields_v1.as_ref().map(|v| &v.0);
            for key in path {
                at = at.and_then(|v| v.get(*key));
            }
            at.is_some()
        })
        .filter_map(|f| f.manager.clone())
        .collect();
    managers.sort();
    managers.dedup();
    managers
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub created: Option<Timestamp>,
    pub capacity: Option<String>,
    /// Delete, Retain, Recycle.
    pub reclaim_policy: String,
    pub storage_class: Option<String>,
    /// Available, Bound, Released, Failed.
    pub phase: String,
    pub claim: Option<ClaimRef>,
    /// Required node affinity, one human-readable term per entry ("kubernetes.io/hostname in (n1)").
    pub node_affinity: Vec<String>,
    /// Values of kubernetes.io/hostname In terms: the hostname labels of the nodes where the data
    /// physically is (local volumes). A node's hostname label is usually, not always, its name.
    pub pinned_nodes: Vec<String>,
    /// spec.local or spec.hostPath: data lives on one node's disk.
    pub node_local: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimRef {
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
}

impl From<&core::PersistentVolume> for Volume {
    fn from(v: &core::PersistentVolume) -> Self {
        let m = &v.metadata;
        let spec = v.spec.clone().unwrap_or_default();
        let terms = spec
            .node_affinity
            .as_ref()
            .and_then(|a| a.required.as_ref())
            .map(|r| r.node_selector_terms.clone())
            .unwrap_or_default();
        let expressions = terms.iter().flat_map(|t| t.match_expressions.iter().flatten());
        let node_affinity = expressions
            .clone()
            .map(|e| {
                let values = e.values.clone().unwrap_or_default().join(",");
                format!("{} {} ({values})", e.key, e.operator.to_lowercase())
            })
            .collect();
        let pinned_nodes = expressions
            .filter(|e| e.key == super::infra::LABEL_HOSTNAME && e.operator == "In")
            .flat_map(|e| e.values.clone().unwrap_or_default())
            .collect();
        Volume {
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            resource_version: m.resource_version.clone().unwrap_or_default(),
            created: meta_time(&m.creation_timestamp),
            capacity: spec.capacity.as_ref().and_then(|c| c.get("storage")).map(|q| q.0.clone()),
            reclaim_policy: spec.persistent_volume_reclaim_policy.clone().unwrap_or_else(|| "Retain".into()),
            storage_class: storage_class(m.annotations.as_ref(), spec.storage_class_name.as_ref()),
            phase: v.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
            claim: spec.claim_ref.as_ref().map(|r| ClaimRef {
                namespace: r.namespace.clone().unwrap_or_default(),
                name: r.name.clone().unwrap_or_default(),
                uid: r.uid.clone(),
            }),
            node_affinity,
            pinned_nodes,
            node_local: spec.local.is_some() || spec.host_path.is_some(),
        }
    }
}
