//! StatefulSet and Pod as plain data: only the fields the diagnoses read, with API defaults applied
//! so that fields absent on older servers (ordinals, retention policy, minReadySeconds) read as the
//! defaults those servers behave with.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use serde::Serialize;

use super::selector::{LabelSelector, Labels};
use super::{OwnerRef, meta_time, owner_refs};

/// Label the StatefulSet controller puts on every pod: the ControllerRevision it was made from.
pub const REVISION_LABEL: &str = "controller-revision-hash";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSet {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub generation: i64,
    pub created: Option<Timestamp>,
    pub deleting: Option<Timestamp>,
    pub selector: LabelSelector,
    /// spec.replicas (default 1).
    pub replicas: i32,
    /// spec.ordinals.start (default 0; field exists from Kubernetes 1.26).
    pub ordinals_start: i32,
    pub service_name: String,
    /// "OrderedReady" (default) or "Parallel".
    pub pod_management_policy: String,
    /// "RollingUpdate" (default) or "OnDelete".
    pub update_strategy: String,
    /// rollingUpdate.partition (default 0).
    pub partition: i32,
    /// rollingUpdate.maxUnavailable as written (1.24+, alpha); None when absent.
    pub max_unavailable: Option<String>,
    /// spec.minReadySeconds; None when the server does not have the field (< 1.22 era).
    pub min_ready_seconds: Option<i32>,
    /// persistentVolumeClaimRetentionPolicy; None when absent (servers < 1.23 behave as Retain/Retain).
    pub retention: Option<RetentionPolicy>,
    pub claim_templates: Vec<ClaimTemplate>,
    /// The topology keys its template spreads pods over (pod anti-affinity, topology spread).
    #[serde(skip)]
    pub spread_keys: Vec<String>,
    /// Where its pods may run: the template's nodeName, nodeSelector and required node affinity
    /// (PVs are not in it: see the claims).
    #[serde(skip)]
    pub placement: crate::force_delete::Placement,
    pub status: StatefulSetStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPolicy {
    pub when_deleted: String,
    pub when_scaled: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimTemplate {
    pub name: String,
    /// resources.requests.storage as written ("10Gi").
    pub storage: Option<String>,
    /// The beta annotation or storageClassName (see `storage::storage_class`); None: default class.
    pub storage_class: Option<String>,
    pub access_modes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetStatus {
    pub observed_generation: Option<i64>,
    pub replicas: i32,
    pub ready_replicas: i32,
    pub current_replicas: i32,
    pub updated_replicas: i32,
    /// 1.22+ only.
    pub available_replicas: Option<i32>,
    pub current_revision: Option<String>,
    pub update_revision: Option<String>,
}

impl StatefulSet {
    /// The ordinals the spec asks for: [start, start + replicas).
    pub fn ordinal_range(&self) -> std::ops::Range<i32> {
        self.ordinals_start..self.ordinals_start.saturating_add(self.replicas.max(0))
    }

    pub fn is_parallel(&self) -> bool {
        self.pod_management_policy == "Parallel"
    }

    pub fn is_on_delete(&self) -> bool {
        self.update_strategy == "OnDelete"
    }

    /// The retention policy in effect: absent means Retain/Retain.
    pub fn effective_retention(&self) -> RetentionPolicy {
        self.retention
            .clone()
            .unwrap_or(RetentionPolicy { when_deleted: "Retain".into(), when_scaled: "Retain".into() })
    }

    /// Whether `pod` is this StatefulSet's: controlled by it, or an orphan it would adopt (no
    /// controller, selector matches). The controller ignores pods another controller owns.
    pub fn owns_pod(&self, pod: &Pod) -> bool {
        pod.controlled_by(&self.uid) || (pod.controller.is_none() && self.selector.matches(&pod.labels))
    }

    /// Whether the controller has seen the latest spec.
    pub fn spec_observed(&self) -> bool {
        self.status.observed_generation.is_some_and(|g| g >= self.generation)
    }
}

impl From<&apps::StatefulSet> for StatefulSet {
    fn from(s: &apps::StatefulSet) -> Self {
        let m = &s.metadata;
        let spec = s.spec.clone().unwrap_or_default();
        let status = s.status.clone().unwrap_or_default();
        let rolling = spec.update_strategy.as_ref().and_then(|u| u.rolling_update.as_ref());
        StatefulSet {
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            resource_version: m.resource_version.clone().unwrap_or_default(),
            generation: m.generation.unwrap_or(0),
            created: meta_time(&m.creation_timestamp),
            deleting: meta_time(&m.deletion_timestamp),
            selector: LabelSelector::from(&spec.selector),
            replicas: spec.replicas.unwrap_or(1),
            ordinals_start: spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0),
            service_name: spec.service_name.clone().unwrap_or_default(),
            pod_management_policy: spec.pod_management_policy.clone().unwrap_or_else(|| "OrderedReady".into()),
            update_strategy: spec
                .update_strategy
                .as_ref()
                .and_then(|u| u.type_.clone())
                .unwrap_or_else(|| "RollingUpdate".into()),
            partition: rolling.and_then(|r| r.partition).unwrap_or(0),
            max_unavailable: rolling.and_then(|r| r.max_unavailable.as_ref()).map(int_or_string),
            min_ready_seconds: spec.min_ready_seconds,
            retention: spec.persistent_volume_claim_retention_policy.as_ref().map(|p| RetentionPolicy {
                when_deleted: p.when_deleted.clone().unwrap_or_else(|| "Retain".into()),
                when_scaled: p.when_scaled.clone().unwrap_or_else(|| "Retain".into()),
            }),
            claim_templates: spec.volume_claim_templates.iter().flatten().map(ClaimTemplate::from).collect(),
            placement: crate::force_delete::Placement::of_template(spec.template.spec.as_ref()),
            spread_keys: spread_keys(spec.template.spec.as_ref()),
            status: StatefulSetStatus {
                observed_generation: status.observed_generation,
                replicas: status.replicas,
                ready_replicas: status.ready_replicas.unwrap_or(0),
                current_replicas: status.current_replicas.unwrap_or(0),
                updated_replicas: status.updated_replicas.unwrap_or(0),
                available_replicas: status.available_replicas,
                current_revision: status.current_revision.filter(|r| !r.is_empty()),
                update_revision: status.update_revision.filter(|r| !r.is_empty()),
            },
        }
    }
}

impl From<&core::PersistentVolumeClaim> for ClaimTemplate {
    fn from(t: &core::PersistentVolumeClaim) -> Self {
        let spec = t.spec.clone().unwrap_or_default();
        ClaimTemplate {
            name: t.metadata.name.clone().unwrap_or_default(),
            storage: spec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| q.0.clone()),
            storage_class: super::storage::storage_class(
                t.metadata.annotations.as_ref(),
                spec.storage_class_name.as_ref(),
            ),
            access_modes: spec.access_modes.clone().unwrap_or_default(),
        }
    }
}

/// The topology keys a pod template spreads its pods over: pod anti-affinity terms (required or
/// preferred) and topologySpreadConstraints. (Whom a term selects is not checked.)
fn spread_keys(spec: Option<&core::PodSpec>) -> Vec<String> {
    let Some(spec) = spec else { return vec![] };
    let anti = spec.affinity.as_ref().and_then(|a| a.pod_anti_affinity.as_ref());
    let required =
        anti.into_iter().flat_map(|a| a.required_during_scheduling_ignored_during_execution.iter().flatten());
    let preferred = anti
        .into_iter()
        .flat_map(|a| a.preferred_during_scheduling_ignored_during_execution.iter().flatten())
        .map(|w| &w.pod_affinity_term);
    let mut keys: Vec<String> = required
        .chain(preferred)
        .map(|t| t.topology_key.clone())
        .chain(spec.topology_spread_constraints.iter().flatten().map(|c| c.topology_key.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn int_or_string(v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub labels: Labels,
    /// The controlling ownerReference, if any.
    pub controller: Option<OwnerRef>,
    pub created: Option<Timestamp>,
    pub deleting: Option<Timestamp>,
    pub deletion_grace_seconds: Option<i64>,
    /// status.phase ("" when the server has not set one).
    pub phase: String,
    /// status.reason: NodeLost, Evicted, ...
    pub reason: Option<String>,
    pub node: Option<String>,
    /// status.podIP: without one, no endpoint (and so no DNS record) is published for the pod.
    pub ip: Option<String>,
    /// Ready condition is True.
    pub ready: bool,
    /// When the Ready condition last changed.
    pub ready_since: Option<Timestamp>,
    pub restarts: i32,
    /// The first container waiting reason: CrashLoopBackOff, ImagePullBackOff, ContainerCreating...
    pub waiting: Option<String>,
    /// Why a container last terminated: OOMKilled, Error...
    pub last_terminated: Option<String>,
    /// PVC names the pod's volumes use: persistentVolumeClaim ones and generic ephemeral ones.
    pub claims: Vec<String>,
}

impl Pod {
    pub fn revision(&self) -> Option<&str> {
        self.labels.get(REVISION_LABEL).map(String::as_str)
    }

    pub fn is_terminating(&self) -> bool {
        self.deleting.is_some()
    }

    /// Succeeded or Failed pods no longer use their volumes.
    pub fn is_finished(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }

    /// The controller's isRunningAndReady: phase Running and condition Ready.
    pub fn is_running_and_ready(&self) -> bool {
        self.phase == "Running" && self.ready
    }

    /// The controller's isHealthy: running, ready and not terminating.
    pub fn is_healthy(&self) -> bool {
        self.is_running_and_ready() && !self.is_terminating()
    }

    pub fn controlled_by(&self, uid: &str) -> bool {
        self.controller.as_ref().is_some_and(|o| o.uid == uid)
    }

    /// A pod known only by its metadata (from a metadata-only LIST): no status, no volumes.
    pub fn from_metadata(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Self {
        Pod::from(&core::Pod { metadata: m.clone(), spec: None, status: None })
    }
}

impl From<&core::Pod> for Pod {
    fn from(p: &core::Pod) -> Self {
        let m = &p.metadata;
        let status = p.status.as_ref();
        let ready_condition =
            status.and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
        let containers = status.and_then(|s| s.container_statuses.as_ref());
        let init_containers = status.and_then(|s| s.init_container_statuses.as_ref());
        let all_containers = || init_containers.into_iter().flatten().chain(containers.into_iter().flatten());
        Pod {
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone().unwrap_or_default(),
            resource_version: m.resource_version.clone().unwrap_or_default(),
            labels: m.labels.as_ref().map(Labels::from).unwrap_or_default(),
            controller: owner_refs(m).into_iter().find(|o| o.controller),
            created: meta_time(&m.creation_timestamp),
            deleting: meta_time(&m.deletion_timestamp),
            deletion_grace_seconds: m.deletion_grace_period_seconds,
            phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
            reason: status.and_then(|s| s.reason.clone()),
            node: p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()),
            ip: status.and_then(|s| s.pod_ip.clone()).filter(|ip| !ip.is_empty()),
            ready: ready_condition.is_some_and(|c| c.status == "True"),
            ready_since: ready_condition.and_then(|c| meta_time(&c.last_transition_time)),
            restarts: containers.into_iter().flatten().map(|c| c.restart_count).sum(),
            waiting: all_containers()
                .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
                .find(|r| !r.is_empty()),
            last_terminated: all_containers()
                .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref()?.reason.clone())
                .find(|r| !r.is_empty()),
            claims: p
                .spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .filter_map(|v| match (&v.persistent_volume_claim, &v.ephemeral) {
                    (Some(c), _) => Some(c.claim_name.clone()),
                    // A generic ephemeral volume uses the claim `<pod>-<volume>` (ephemeral.VolumeClaimName).
                    (None, Some(_)) => Some(format!("{}-{}", m.name.as_deref().unwrap_or_default(), v.name)),
                    (None, None) => None,
                })
                .collect(),
        }
    }
}
