//! Node, node Lease, Service and Event as plain data.

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use serde::Serialize;

use super::meta_time;

pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_SHUTDOWN: &str = "node.cloudprovider.kubernetes.io/shutdown";
pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";
/// The taints that say something about a node's health (shown by node health and force-delete).
pub const HEALTH_TAINTS: [&str; 4] = [TAINT_UNREACHABLE, TAINT_NOT_READY, TAINT_SHUTDOWN, TAINT_OUT_OF_SERVICE];

/// A Lease's duration in seconds when it does not say (the kubelet default; kubelets renew at a
/// quarter of it, and the node controller's grace period is 40s with it).
pub const DEFAULT_LEASE_SECONDS: i64 = 40;

/// The one rule for "its kubelet is alive": a Lease renewed within its leaseDurationSeconds
/// (`duration_seconds`, the default when absent) of `now`, a renewal "in the future" (a kubelet
/// clock ahead) included. Node health and force-delete's gate both judge freshness by it, so a
/// Lease force-delete refuses as fresh never looks lost.
pub fn lease_fresh(renewed: Timestamp, duration_seconds: Option<i32>, now: Timestamp) -> bool {
    now.duration_since(renewed).as_secs() <= duration_seconds.map_or(DEFAULT_LEASE_SECONDS, i64::from)
}

/// When a Lease expired or expires: (renewTime, the duration used, renewTime + duration). None
/// without a renewTime.
pub fn lease_expiry(lease: &Lease) -> Option<(Timestamp, i64, Timestamp)> {
    let renewed = lease.renew_time?;
    let duration = lease.duration_seconds.map_or(DEFAULT_LEASE_SECONDS, i64::from);
    Some((renewed, duration, renewed + SignedDuration::from_secs(duration)))
}
/// The label a local PV's node affinity names its node by. The kubelet sets it to its hostname,
/// which need not be the Node's name (cloud providers name nodes, `--hostname-override`).
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
const LABEL_ZONE_BETA: &str = "failure-domain.beta.kubernetes.io/zone";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub deleting: Option<Timestamp>,
    /// The kubernetes.io/hostname label.
    pub hostname: Option<String>,
    /// The Ready condition; None when the node never reported one.
    pub ready: Option<NodeCondition>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    /// The topology.kubernetes.io/zone label (failure-domain.beta.kubernetes.io/zone before 1.17).
    #[serde(skip)]
    pub zone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCondition {
    /// "True", "False" or "Unknown".
    pub status: String,
    pub reason: Option<String>,
    pub last_heartbeat: Option<Timestamp>,
    pub last_transition: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    pub effect: String,
    pub added: Option<Timestamp>,
}

impl Node {
    pub fn taint(&self, key: &str) -> Option<&Taint> {
        self.taints.iter().find(|t| t.key == key)
    }
    pub fn is_ready(&self) -> bool {
        self.ready.as_ref().is_some_and(|c| c.status == "True")
    }
}

impl From<&core::Node> for Node {
    fn from(n: &core::Node) -> Self {
        let ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .map(|c| NodeCondition {
                status: c.status.clone(),
                reason: c.reason.clone(),
                last_heartbeat: meta_time(&c.last_heartbeat_time),
                last_transition: meta_time(&c.last_transition_time),
            });
        let spec = n.spec.as_ref();
        let labels = n.metadata.labels.as_ref();
        let zone = labels.and_then(|l| l.get(LABEL_ZONE).or_else(|| l.get(LABEL_ZONE_BETA))).cloned();
        Node {
            zone,
            name: n.metadata.name.clone().unwrap_or_default(),
            uid: n.metadata.uid.clone().unwrap_or_default(),
            resource_version: n.metadata.resource_version.clone().unwrap_or_default(),
            deleting: meta_time(&n.metadata.deletion_timestamp),
            hostname: n.metadata.labels.as_ref().and_then(|l| l.get(LABEL_HOSTNAME).cloned()),
            ready,
            taints: spec
                .and_then(|s| s.taints.as_ref())
                .into_iter()
                .flatten()
                .map(|t| Taint {
                    key: t.key.clone(),
                    value: t.value.clone().filter(|v| !v.is_empty()),
                    effect: t.effect.clone(),
                    added: meta_time(&t.time_added),
                })
                .collect(),
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
        }
    }
}

/// A node's heartbeat Lease in kube-node-lease (same name as the node).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub node: String,
    pub renew_time: Option<Timestamp>,
    pub duration_seconds: Option<i32>,
    pub holder: Option<String>,
}

impl From<&coordination::Lease> for Lease {
    fn from(l: &coordination::Lease) -> Self {
        let spec = l.spec.as_ref();
        Lease {
            node: l.metadata.name.clone().unwrap_or_default(),
            renew_time: spec.and_then(|s| s.renew_time.as_ref()).map(|t| t.0),
            duration_seconds: spec.and_then(|s| s.lease_duration_seconds),
            holder: spec.and_then(|s| s.holder_identity.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// clusterIP None: the only kind that gives pods stable DNS names.
    pub headless: bool,
    /// spec.selector: the endpoints controller publishes the pods it matches (and so their DNS
    /// records); empty when the service has none.
    pub selector: super::Labels,
    /// spec.publishNotReadyAddresses: pods are published as soon as they have an IP, Ready or not.
    pub publish_not_ready: bool,
    /// The deprecated `service.alpha.kubernetes.io/tolerate-unready-endpoints` annotation, when
    /// it parses: the Endpoints controller of servers before 1.24 (kubernetes#108020) lets it
    /// override publishNotReadyAddresses; the EndpointSlice controller ignores it.
    pub tolerate_unready_annotation: Option<bool>,
}

pub const ANNOTATION_TOLERATE_UNREADY: &str = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

/// Go's strconv.ParseBool, which the endpoints controller reads the annotation with.
fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

impl From<&core::Service> for Service {
    fn from(s: &core::Service) -> Self {
        Service {
            namespace: s.metadata.namespace.clone().unwrap_or_default(),
            name: s.metadata.name.clone().unwrap_or_default(),
            headless: s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None"),
            selector: s.spec.as_ref().and_then(|s| s.selector.as_ref()).map(super::Labels::from).unwrap_or_default(),
            publish_not_ready: s.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false),
            tolerate_unready_annotation: s
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(ANNOTATION_TOLERATE_UNREADY))
                .and_then(|v| parse_go_bool(v)),
        }
    }
}

/// A Warning event about a StatefulSet (FailedCreate and friends explain missing pods).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub namespace: String,
    /// Name of the StatefulSet the event is about.
    pub object: String,
    pub reason: String,
    pub message: String,
    pub last_seen: Option<Timestamp>,
    pub count: i32,
}

impl From<&core::Event> for Event {
    fn from(e: &core::Event) -> Self {
        Event {
            namespace: e.metadata.namespace.clone().unwrap_or_default(),
            object: e.involved_object.name.clone().unwrap_or_default(),
            reason: e.reason.clone().unwrap_or_default(),
            message: e.message.clone().unwrap_or_default(),
            last_seen: e
                .last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0)),
            count: e.count.unwrap_or(1),
        }
    }
}

/// The API server's version (GET /version): which controller rules apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerVersion {
    /// "v1.20.2"
    pub git_version: String,
    pub major: u32,
    pub minor: u32,
}

impl ServerVersion {
    /// From /version's major/minor ("1", "28+" on some providers).
    pub fn parse(git_version: &str, major: &str, minor: &str) -> Option<ServerVersion> {
        let number = |s: &str| s.trim_end_matches('+').parse::<u32>().ok();
        Some(ServerVersion { git_version: git_version.to_string(), major: number(major)?, minor: number(minor)? })
    }

    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// The patch release, from `gitVersion` ("v1.35.3", "v1.35.3-gke.100", "v1.35.3+k3s1"), when
    /// it names the same minor as /version's `minor`.
    pub fn patch(&self) -> Option<u32> {
        let mut parts = self.git_version.trim_start_matches('v').splitn(3, '.');
        let (major, minor) = (parts.next()?.parse::<u32>().ok()?, parts.next()?.parse::<u32>().ok()?);
        let digits: String = parts.next()?.chars().take_while(char::is_ascii_digit).collect();
        ((major, minor) == (self.major, self.minor)).then_some(())?;
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_fresh_up_to_and_including_its_duration_and_when_renewed_in_the_future() {
        let now: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        let renewed = |secs: i64| now - SignedDuration::from_secs(secs);
        assert!(lease_fresh(renewed(40), Some(40), now));
        assert!(!lease_fresh(renewed(41), Some(40), now));
        assert!(lease_fresh(renewed(40), None, now), "the default is 40s");
        assert!(!lease_fresh(renewed(41), None, now));
        assert!(lease_fresh(renewed(-300), Some(40), now), "a kubelet clock ahead");
        let lease = Lease { node: "n1".into(), renew_time: Some(renewed(600)), duration_seconds: None, holder: None };
        assert_eq!(lease_expiry(&lease), Some((renewed(600), 40, renewed(560))));
    }
}
