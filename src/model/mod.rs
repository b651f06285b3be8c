//! Plain data the diagnoses work on, and the snapshot that holds it.
//!
//! Conversions from k8s-openapi objects are pure (`From` impls), so the same code runs on live
//! objects and on JSON fixtures (including fields only newer servers send).

pub mod autoscaler;
pub mod disruption;
pub mod history;
pub mod infra;
pub mod names;
pub mod quantity;
pub mod revision;
pub mod selector;
pub mod storage;
pub mod workload;

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use serde::Serialize;

pub use autoscaler::Autoscaler;
pub use disruption::DisruptionBudget;
pub use infra::{Event, Lease, Node, NodeCondition, ServerVersion, Service, Taint};
pub use revision::ControllerRevision;
pub use selector::{LabelSelector, Labels};
pub use storage::{Claim, ClaimRef, Volume};
pub use workload::{ClaimTemplate, Pod, RetentionPolicy, StatefulSet, StatefulSetStatus};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: bool,
}

pub(crate) fn owner_refs(m: &meta::ObjectMeta) -> Vec<OwnerRef> {
    m.owner_references
        .iter()
        .flatten()
        .map(|o| OwnerRef {
            kind: o.kind.clone(),
            name: o.name.clone(),
            uid: o.uid.clone(),
            controller: o.controller.unwrap_or(false),
        })
        .collect()
}

pub(crate) fn meta_time(t: &Option<meta::Time>) -> Option<Timestamp> {
    t.as_ref().map(|t| t.0)
}

/// Part of a snapshot that may be unreadable (RBAC): the reason when it is.
pub type Part<T> = Result<T, String>;

/// JSON/YAML form of a [`Part`]: `{status: found, value}` or `{status: unavailable, reason}`,
/// like `Lookup`'s, instead of serde's Rust-shaped `{"Ok": ...}` / `{"Err": ...}`.
pub mod part_serde {
    use serde::{Serialize, Serializer};

    use super::Part;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase", tag = "status")]
    enum View<'a, T> {
        Found { value: &'a T },
        Unavailable { reason: &'a str },
    }

    fn view<T>(part: &Part<T>) -> View<'_, T> {
        match part {
            Ok(value) => View::Found { value },
            Err(reason) => View::Unavailable { reason },
        }
    }

    pub fn serialize<S: Serializer, T: Serialize>(part: &Part<T>, s: S) -> Result<S::Ok, S::Error> {
        view(part).serialize(s)
    }

    /// For `Option<Part<T>>`: `null` when not gathered.
    pub fn option<S: Serializer, T: Serialize>(part: &Option<Part<T>>, s: S) -> Result<S::Ok, S::Error> {
        part.as_ref().map(view).serialize(s)
    }
}

/// Everything the diagnoses need, fetched in a fixed number of requests.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The clock every age is computed against: the API server's (from the Date header of
    /// GET /version), since every timestamp compared with it is the server's too.
    pub now: Timestamp,
    /// Local clock minus the API server's, in seconds; None when it is unknown.
    pub local_skew_seconds: Option<i64>,
    /// The API server sent no Date header: `now` is the local clock's.
    pub local_clock_only: bool,
    /// The API server's version: which controller rules apply.
    pub server_version: Option<ServerVersion>,
    pub statefulsets: Vec<StatefulSet>,
    /// When one StatefulSet is looked at and its neighbours were asked for: the namespace's other
    /// StatefulSets (their naming rules may produce the same claim names). Empty otherwise; the
    /// reason when they could not be listed (a Role may grant `get` on one StatefulSet only).
    pub other_statefulsets: Part<Vec<StatefulSet>>,
    /// Every pod in the namespace(s) looked at, not only the StatefulSets' own.
    /// Boxed: B-tree nodes filled in key order stay about half full, so inline values would
    /// waste ~half their size per entry.
    pub pods: BTreeMap<ObjectKey, Box<Pod>>,
    /// Every claim in the namespace(s) looked at.
    pub claims: BTreeMap<ObjectKey, Box<Claim>>,
    /// PVs referenced by the claims, by name.
    pub volumes: Part<BTreeMap<String, Volume>>,
    /// Nodes referenced by pods and PV affinity, by name; a name missing here was deleted.
    pub nodes: Part<BTreeMap<String, Node>>,
    /// kube-node-lease Leases of those nodes, by node name.
    pub leases: Part<BTreeMap<String, Lease>>,
    /// Governing services, by (namespace, name).
    pub services: Part<BTreeMap<(String, String), Service>>,
    /// Warning events about the StatefulSets.
    pub events: Part<Vec<Event>>,
    /// ControllerRevisions (the StatefulSets' template history), when asked for.
    pub revisions: Part<Vec<ControllerRevision>>,
    /// HorizontalPodAutoscalers of the namespace(s), when asked for: they scale StatefulSets back
    /// up over ordinals whose claims look orphaned.
    pub autoscalers: Part<Vec<Autoscaler>>,
    /// PodDisruptionBudgets of the namespace(s), when asked for (policy/v1, or policy/v1beta1 on
    /// servers without it).
    pub disruption_budgets: Part<Vec<DisruptionBudget>>,
    /// (namespace, claim) -> pods whose volumes reference it; maintained by `add_pod`.
    mounts: BTreeMap<ObjectKey, Vec<String>>,
}

/// (namespace, name)
pub type ObjectKey = (String, String);

/// A part of a snapshot the user may not read (403): what the report could not look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unavailable {
    /// Stable identifier: nodes, leases, volumes, events, services, revisions, autoscalers,
    /// statefulsets or poddisruptionbudgets.
    pub part: &'static str,
    pub reason: String,
}

pub fn key(namespace: &str, name: &str) -> ObjectKey {
    (namespace.to_string(), name.to_string())
}

/// What is known about a node named by a pod or a PV.
#[derive(Debug, Clone, Copy)]
pub enum NodeLookup<'a> {
    Found(&'a Node),
    /// The Node object does not exist (any more).
    Deleted,
    /// Nodes could not be read; the reason.
    Unknown(&'a str),
}

impl Snapshot {
    pub fn empty(now: Timestamp) -> Self {
        Snapshot {
            now,
            local_skew_seconds: None,
            local_clock_only: false,
            server_version: None,
            statefulsets: vec![],
            other_statefulsets: Ok(vec![]),
            pods: BTreeMap::new(),
            claims: BTreeMap::new(),
            volumes: Ok(BTreeMap::new()),
            nodes: Ok(BTreeMap::new()),
            leases: Ok(BTreeMap::new()),
            services: Ok(BTreeMap::new()),
            events: Ok(vec![]),
            revisions: Ok(vec![]),
            autoscalers: Ok(vec![]),
            disruption_budgets: Ok(vec![]),
            mounts: BTreeMap::new(),
        }
    }

    /// The parts that could not be read, in a fixed order. Parts a command did not ask for are
    /// never unavailable, so every command can report these.
    pub fn unavailable(&self) -> Vec<Unavailable> {
        [
            ("nodes", self.nodes.as_ref().err()),
            ("leases", self.leases.as_ref().err()),
            ("volumes", self.volumes.as_ref().err()),
            ("events", self.events.as_ref().err()),
            ("services", self.services.as_ref().err()),
            ("revisions", self.revisions.as_ref().err()),
            ("autoscalers", self.autoscalers.as_ref().err()),
            ("statefulsets", self.other_statefulsets.as_ref().err()),
            ("poddisruptionbudgets", self.disruption_budgets.as_ref().err()),
        ]
        .into_iter()
        .filter_map(|(part, reason)| Some(Unavailable { part, reason: reason?.clone() }))
        .collect()
    }

    /// A clock note, then one note per part that could not be read ("node health unknown:
    /// <reason>").
    pub fn unavailable_notes(&self) -> Vec<String> {
        let clock = match crate::duration::clock_skew(self.local_skew_seconds) {
            _ if self.local_clock_only => Some(crate::duration::local_clock_note("ages are")),
            Some(skew) => Some(format!("{skew}: ages are judged on the API server's clock")),
            None => None,
        };
        let label = |part: &str| match part {
            "nodes" => "node health".to_string(),
            "leases" => "node leases".to_string(),
            "statefulsets" => "the namespace's other statefulsets".to_string(),
            other => other.to_string(),
        };
        clock
            .into_iter()
            .chain(self.unavailable().into_iter().map(|u| format!("{} unknown: {}", label(u.part), u.reason)))
            .collect()
    }

    pub fn node(&self, name: &str) -> NodeLookup<'_> {
        match &self.nodes {
            Ok(nodes) => nodes.get(name).map_or(NodeLookup::Deleted, NodeLookup::Found),
            Err(reason) => NodeLookup::Unknown(reason),
        }
    }

    /// The name of the node a PV's `kubernetes.io/hostname In (value)` term selects. The scheduler
    /// matches the node's hostname label, which is usually but not always its name: the node
    /// named `value` unless it is labelled otherwise, else the node labelled `value`, else `value`
    /// itself (which then looks deleted).
    pub fn node_for_hostname<'a>(&'a self, value: &'a str) -> &'a str {
        let Ok(nodes) = &self.nodes else { return value };
        if nodes.get(value).is_some_and(|n| n.hostname.as_deref().is_none_or(|h| h == value)) {
            return value;
        }
        nodes.values().find(|n| n.hostname.as_deref() == Some(value)).map_or(value, |n| n.name.as_str())
    }

    pub fn lease(&self, node: &str) -> Option<&Lease> {
        self.leases.as_ref().ok()?.get(node)
    }

    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.as_ref().ok()?.get(name)
    }

    pub fn add_pod(&mut self, pod: Pod) {
        for claim in &pod.claims {
            self.mounts.entry(key(&pod.namespace, claim)).or_default().push(pod.name.clone());
        }
        self.pods.insert(key(&pod.namespace, &pod.name), Box::new(pod));
    }

    pub fn add_claim(&mut self, claim: Claim) {
        self.claims.insert(key(&claim.namespace, &claim.name), Box::new(claim));
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods.get(&key(namespace, name)).map(|p| &**p)
    }

    pub fn claim(&self, namespace: &str, name: &str) -> Option<&Claim> {
        self.claims.get(&key(namespace, name)).map(|c| &**c)
    }

    pub fn pods_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
        in_namespace(&self.pods, namespace)
    }

    pub fn claims_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Claim> + 'a {
        in_namespace(&self.claims, namespace)
    }

    /// Pods (not finished) whose volumes reference claim `claim` in `namespace`, in name order.
    pub fn pods_mounting<'a>(&'a self, namespace: &'a str, claim: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
        let mut names: Vec<&String> = self.mounts.get(&key(namespace, claim)).into_iter().flatten().collect();
        names.sort();
        names.dedup();
        names.into_iter().filter_map(move |name| self.pod(namespace, name)).filter(|p| !p.is_finished())
    }
}

/// The values of a (namespace, name)-keyed map that are in `namespace`, in name order.
fn in_namespace<'a, T>(map: &'a BTreeMap<ObjectKey, Box<T>>, namespace: &'a str) -> impl Iterator<Item = &'a T> + 'a {
    map.range(key(namespace, "")..).take_while(move |((ns, _), _)| ns == namespace).map(|(_, v)| &**v)
}
