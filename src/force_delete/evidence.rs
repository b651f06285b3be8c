//! What the API says about a pod and its node, as plain data (gathered by `cluster::evidence`).
//!
//! Every part the user may not be allowed to read is a [`Lookup`] or a [`Part`], so a missing
//! permission shows up as missing evidence (and a refusal), never as "not there".

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1 as storage;
use serde::Serialize;

use super::placement::Placement;
use crate::model::{Lease, Node, Part, Pod, ServerVersion};

/// Everything `assess` looks at.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The clock every age is computed against: the API server's, read from a response's Date header.
    pub now: Timestamp,
    /// How long (local clock) the requests took from just before GET /version to the last answer:
    /// objects read after the Date header was written may carry server times up to this much (plus
    /// the header's truncated second) later than `now`, which keeps ages on the cautious side.
    #[serde(skip)]
    pub read_within: SignedDuration,
    pub clock: Clock,
    /// From GET /version; None when the server did not say.
    pub server_version: Option<ServerVersion>,
    pub pod: Pod,
    /// Times in the pod's status only a kubelet writes: one newer than the node's going silent
    /// means something on the node still runs the pod.
    pub pod_status: PodStatusTimes,
    /// The pod's metadata.finalizers: a delete only marks it while there are any.
    pub pod_finalizers: Vec<String>,
    /// The Node named by the pod's spec.nodeName; `Absent` means deleted.
    pub node: Lookup<Node>,
    /// kube-node-lease/<node>.
    pub lease: Lookup<Lease>,
    /// The pod's claims and the PVs they are bound to.
    #[serde(serialize_with = "crate::model::part_serde::serialize")]
    pub volumes: Part<Vec<PodVolume>>,
    /// VolumeAttachments of those PVs (on any node).
    #[serde(serialize_with = "crate::model::part_serde::serialize")]
    pub attachments: Part<Vec<Attachment>>,
    /// Only gathered for --fence: every pod bound to the node ("namespace/name"), all of which
    /// the out-of-service taint affects.
    #[serde(serialize_with = "crate::model::part_serde::option")]
    pub pods_on_node: Option<Part<Vec<String>>>,
    /// Where the replacement can run (the StatefulSet's template, the PVs' node affinity): for the
    /// plan's words only, not part of the decision.
    #[serde(skip)]
    pub placement: Part<Placement>,
}

/// The result of reading one object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "status", content = "value")]
pub enum Lookup<T> {
    Found(T),
    /// GET returned 404.
    Absent,
    /// GET returned 403; the one-line reason names the missing permission.
    Forbidden(String),
    /// Not looked up (the pod is not bound to a node).
    NotChecked,
}

impl<T> Lookup<T> {
    pub fn found(&self) -> Option<&T> {
        match self {
            Lookup::Found(v) => Some(v),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(&T) -> U) -> Lookup<U> {
        match self {
            Lookup::Found(v) => Lookup::Found(f(&v)),
            Lookup::Absent => Lookup::Absent,
            Lookup::Forbidden(reason) => Lookup::Forbidden(reason),
            Lookup::NotChecked => Lookup::NotChecked,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Clock {
    /// The API server's time from the Date header (second precision); None when it sent none.
    pub server_time: Option<Timestamp>,
    /// Local clock minus the API server's, in seconds (positive: local is ahead).
    pub local_skew_seconds: Option<i64>,
}

impl Clock {
    /// The evidence clock and `now` from a Date header (if any), given local times around the request.
    pub fn from_date_header(date: Option<Timestamp>, sent: Timestamp, received: Timestamp) -> (Clock, Timestamp) {
        match date {
            Some(server) => {
                let midpoint = sent + received.duration_since(sent) / 2;
                // The Date header is truncated to the second: within a second counts as in sync.
                let skew = midpoint.duration_since(server).as_secs();
                (Clock { server_time: Some(server), local_skew_seconds: Some(skew) }, server)
            }
            None => (Clock { server_time: None, local_skew_seconds: None }, received),
        }
    }
}

/// The times in a pod's status that a kubelet writes when it runs the pod (each by the kubelet's
/// clock). The node lifecycle controller, marking the pods of an unreachable node, writes only
/// Ready=False (and, on newer servers, pod GC and the taint manager a DisruptionTarget condition
/// and phase Failed): none of these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatusTimes {
    /// The Ready condition's lastTransitionTime, while it is True.
    pub ready_true_since: Option<Timestamp>,
    /// Init containers, then containers, then ephemeral containers.
    pub containers: Vec<ContainerTimes>,
    /// The latest `time` of the pod's metadata.managedFields entries whose manager is `kubelet`
    /// (operation Update; from 1.22 on the `status` subresource). The API server stamps it, on its
    /// own clock, whenever a write of the kubelet changes the pod — also one that only reports a
    /// cached, old lastTransitionTime. None when the pod has no such entry.
    pub kubelet_wrote: Option<Timestamp>,
    /// Whether the pod has metadata.managedFields at all (servers before 1.18 do not track them,
    /// and they can be stripped): without them `kubelet_wrote` says nothing.
    pub managed_fields: bool,
}

/// The field manager a kubelet writes pods as (its user agent's first word).
pub const KUBELET_MANAGER: &str = "kubelet";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerTimes {
    pub name: String,
    /// "initContainerStatuses", "containerStatuses" or "ephemeralContainerStatuses".
    pub list: &'static str,
    /// state.running.startedAt.
    pub started: Option<Timestamp>,
    /// state.terminated.finishedAt.
    pub finished: Option<Timestamp>,
    /// lastState.terminated.finishedAt: the previous run ended then (the kubelet restarted it).
    pub last_finished: Option<Timestamp>,
}

impl PodStatusTimes {
    pub fn from_api(pod: &core::Pod) -> PodStatusTimes {
        let managed = pod.metadata.managed_fields.as_deref().unwrap_or_default();
        let managed_fields = !managed.is_empty();
        // Every entry of the kubelet counts, whatever its operation or subresource: each is a write.
        let kubelet_wrote = managed
            .iter()
            .filter(|m| m.manager.as_deref() == Some(KUBELET_MANAGER))
            .filter_map(|m| m.time.as_ref().map(|t| t.0))
            .max();
        let Some(status) = pod.status.as_ref() else {
            return PodStatusTimes { kubelet_wrote, managed_fields, ..PodStatusTimes::default() };
        };
        let ready_true_since = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Ready" && c.status == "True")
            .and_then(|c| c.last_transition_time.as_ref())
            .map(|t| t.0);
        let lists = [
            ("initContainerStatuses", &status.init_container_statuses),
            ("containerStatuses", &status.container_statuses),
            ("ephemeralContainerStatuses", &status.ephemeral_container_statuses),
        ];
        let containers = lists
            .into_iter()
            .flat_map(|(list, statuses)| statuses.iter().flatten().map(move |c| (list, c)))
            .map(|(list, c)| {
                let state = c.state.as_ref();
                ContainerTimes {
                    name: c.name.clone(),
                    list,
                    started: state.and_then(|s| s.running.as_ref()?.started_at.as_ref()).map(|t| t.0),
                    finished: state.and_then(|s| s.terminated.as_ref()?.finished_at.as_ref()).map(|t| t.0),
                    last_finished: c
                        .last_state
                        .as_ref()
                        .and_then(|s| s.terminated.as_ref()?.finished_at.as_ref())
                        .map(|t| t.0),
                }
            })
            .collect();
        PodStatusTimes { ready_true_since, containers, kubelet_wrote, managed_fields }
    }
}

/// One claim the pod mounts and the PV it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodVolume {
    pub claim: String,
    /// spec.volumeName; None when the claim is unbound or missing.
    pub volume: Option<String>,
}

/// A VolumeAttachment (storage.k8s.io/v1): a PV attached, or being attached, to a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub name: String,
    pub volume: String,
    pub node: String,
    pub attacher: String,
    pub attached: bool,
    pub deleting: bool,
    pub detach_error: Option<String>,
}

impl Attachment {
    /// None for attachments of inline volumes (no PV name).
    pub fn from_api(va: &storage::VolumeAttachment) -> Option<Attachment> {
        let volume = va.spec.source.persistent_volume_name.clone()?;
        let status = va.status.as_ref();
        Some(Attachment {
            name: va.metadata.name.clone().unwrap_or_default(),
            volume,
            node: va.spec.node_name.clone(),
            attacher: va.spec.attacher.clone(),
            attached: status.is_some_and(|s| s.attached),
            deleting: va.metadata.deletion_timestamp.is_some(),
            detach_error: status.and_then(|s| s.detach_error.as_ref()).and_then(|e| e.message.clone()),
        })
    }
}
