//! Fetching snapshots (see `crate::model::Snapshot`) in a fixed number of requests.
//!
//! Namespaced objects come from paged LISTs (chunks of 500, like kubectl) and are reduced to plain
//! data page by page, so memory stays bounded. Cluster-scoped objects (Nodes, PVs) and node
//! Leases are fetched only when referenced: by GETs when few are referenced, otherwise by one
//! paged LIST, so the request count does not grow with replicas. Parts a namespace-scoped user may
//! not read (Nodes, Leases, PVs, Events) become `Err(reason)` instead of failing the command.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;

use super::{ApiError, Cluster, Op, optional};
use crate::model::{self, Snapshot};

/// Up to this many referenced cluster objects are fetched with GETs; more with one LIST.
pub(super) const GET_LIMIT: usize = 16;
const LEASE_NAMESPACE: &str = "kube-node-lease";

#[path = "snapshot_disruption.rs"]
mod disruption;
#[path = "snapshot_namespaced.rs"]
mod namespaced;

/// Which optional parts a command needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Want {
    /// Every pod of the namespace (full objects), not only the StatefulSet's: needed to see who
    /// mounts a claim.
    pub all_pods: bool,
    pub claims: bool,
    pub volumes: bool,
    pub nodes: bool,
    pub leases: bool,
    pub services: bool,
    pub events: bool,
    /// ControllerRevisions, for rollout status.
    pub revisions: bool,
    /// HorizontalPodAutoscalers (one LIST): which out-of-range claims an autoscaler reuses.
    pub autoscalers: bool,
    /// PodDisruptionBudgets (one LIST): what a node drain may evict.
    pub disruption_budgets: bool,
    /// With all namespaces: keep namespaced objects only from namespaces that have a
    /// StatefulSet, so memory follows the StatefulSets, not the size of the cluster.
    pub statefulset_namespaces_only: bool,
    /// For one StatefulSet: also the namespace's other StatefulSets (one LIST), whose naming
    /// rules may produce the same claim names (`reclaim`'s `ambiguous`).
    pub other_statefulsets: bool,
}

/// Where to look: one StatefulSet, or every StatefulSet of a namespace / of all namespaces.
#[derive(Debug, Clone)]
pub enum Scope {
    StatefulSet { namespace: String, name: String },
    Namespace(String),
    AllNamespaces,
}

impl Cluster {
    pub async fn snapshot(&self, scope: &Scope, want: Want) -> Result<Snapshot, ApiError> {
        let namespace = match scope {
            Scope::StatefulSet { namespace, .. } | Scope::Namespace(namespace) => Some(namespace.clone()),
            Scope::AllNamespaces => None,
        };

        // The server's clock alongside the first request: ages, Lease staleness and
        // minReadySeconds compare server timestamps, so a skewed laptop clock must not matter.
        let (server, statefulsets, others) =
            futures::join!(self.server_time(), self.statefulsets(scope), self.other_statefulsets(scope, want));
        let statefulsets = statefulsets?;
        let server = server?;
        let mut snap = Snapshot::empty(server.now());
        snap.local_skew_seconds = server.local_skew_seconds;
        snap.local_clock_only = server.local_skew_seconds.is_none();
        snap.server_version = server.version;
        snap.statefulsets = statefulsets;
        snap.other_statefulsets = optional(others)?;
        let only: Option<BTreeSet<String>> = (want.statefulset_namespaces_only
            && matches!(scope, Scope::AllNamespaces))
        .then(|| snap.statefulsets.iter().map(|s| s.namespace.clone()).collect());
        let only = only.as_ref();
        // When more claims are expected than GET_LIMIT, PVs are LISTed whatever their names:
        // start that now, alongside pods and claims, instead of after them.
        let expected_claims: usize =
            snap.statefulsets.iter().map(|s| s.replicas.max(0) as usize * s.claim_templates.len()).sum();
        let list_volumes_early = want.volumes && expected_claims > GET_LIMIT;
        let (pods, claims, services, events, early_volumes, revisions, autoscalers, budgets) = futures::join!(
            self.pods(scope, &snap.statefulsets, want.all_pods, only),
            async {
                match (want.claims, &namespace) {
                    (false, _) => Ok(vec![]),
                    (true, ns) => {
                        self.list_into::<core::PersistentVolumeClaim, model::Claim>(
                            ns.as_deref(),
                            ListParams::default(),
                            only,
                        )
                        .await
                    }
                }
            },
            async { if want.services { Some(self.services(scope, &snap.statefulsets, only).await) } else { None } },
            async { if want.events { Some(self.events(scope, only).await) } else { None } },
            async { if list_volumes_early { Some(self.all_volumes().await) } else { None } },
            async { if want.revisions { Some(self.revisions(scope, only).await) } else { None } },
            async { if want.autoscalers { Some(self.autoscalers(scope, only).await) } else { None } },
            async { if want.disruption_budgets { Some(self.disruption_budgets(scope, only).await) } else { None } },
        );
        if let Some(budgets) = budgets {
            snap.disruption_budgets = budgets?;
        }
        if let Some(revisions) = revisions {
            snap.revisions = optional(revisions)?;
        }
        if let Some(autoscalers) = autoscalers {
            snap.autoscalers = autoscalers?;
        }
        for pod in pods? {
            snap.add_pod(pod);
        }
        for claim in claims? {
            snap.add_claim(claim);
        }
        if let Some(services) = services {
            snap.services = optional(services)?;
        }
        if let Some(events) = events {
            snap.events = optional(events)?;
        }

        if want.volumes {
            let names: BTreeSet<String> = snap.claims.values().filter_map(|c| c.volume.clone()).collect();
            snap.volumes = match early_volumes {
                Some(all) => optional(all)?.map(|mut all| {
                    all.retain(|name, _| names.contains(name));
                    all
                }),
                None => optional(
                    self.named::<_, model::Volume>(Api::<core::PersistentVolume>::all(self.client.clone()), &names)
                        .await,
                )?,
            };
        }
        if want.nodes || want.leases {
            let mut names: BTreeSet<String> = snap.pods.values().filter_map(|p| p.node.clone()).collect();
            // Hostname labels local PVs are pinned to; usually also the nodes' names.
            let hostnames: BTreeSet<String> = match &snap.volumes {
                Ok(volumes) => volumes.values().flat_map(|v| v.pinned_nodes.iter().cloned()).collect(),
                Err(_) => BTreeSet::new(),
            };
            names.extend(hostnames.iter().cloned());
            names.extend(snap.claims.values().filter_map(|c| c.selected_node.clone()));
            let leases_api = Api::<coordination::Lease>::namespaced(self.client.clone(), LEASE_NAMESPACE);
            let (nodes, leases) = futures::join!(
                async { if want.nodes { Some(self.nodes(&names, &hostnames).await) } else { None } },
                async {
                    if want.leases {
                        Some(self.named::<_, model::Lease>(leases_api.clone(), &names).await)
                    } else {
                        None
                    }
                },
            );
            if let Some(nodes) = nodes {
                snap.nodes = optional(nodes)?;
            }
            if let Some(leases) = leases {
                snap.leases = optional(leases)?;
            }
            // Nodes found by their hostname label only: their Leases are named after the node.
            let unnamed: BTreeSet<String> = match &snap.nodes {
                Ok(nodes) => nodes.keys().filter(|n| !names.contains(*n)).cloned().collect(),
                Err(_) => BTreeSet::new(),
            };
            if !unnamed.is_empty() && snap.leases.is_ok() {
                let more = optional(self.named::<_, model::Lease>(leases_api, &unnamed).await)?;
                match (more, &mut snap.leases) {
                    (Ok(more), Ok(leases)) => leases.extend(more),
                    (Err(reason), leases) => *leases = Err(reason),
                    _ => {}
                }
            }
        }
        Ok(snap)
    }

    /// Every PV of the cluster, reduced to plain data as pages arrive.
    async fn all_volumes(&self) -> Result<BTreeMap<String, model::Volume>, ApiError> {
        let api = Api::<core::PersistentVolume>::all(self.client.clone());
        let mut out = BTreeMap::new();
        self.list_each(&api, ListParams::default(), Op::of::<core::PersistentVolume>("list"), |pv| {
            let v = model::Volume::from(&pv);
            out.insert(v.name.clone(), v);
        })
        .await?;
        Ok(out)
    }

    /// For one StatefulSet: its pods and the pods holding its ordinals' names
    /// ([`Cluster::pods_of`], as `rollout` reads them). Otherwise: all.
    async fn pods(
        &self,
        scope: &Scope,
        statefulsets: &[model::StatefulSet],
        all_pods: bool,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Vec<model::Pod>, ApiError> {
        if let (Scope::StatefulSet { .. }, [sts], false) = (scope, statefulsets, all_pods) {
            return self.pods_of(sts).await;
        }
        let ns = match scope {
            Scope::StatefulSet { namespace, .. } | Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::AllNamespaces => None,
        };
        self.list_into::<core::Pod, model::Pod>(ns, ListParams::default(), only).await
    }

    /// Paged LIST in one namespace (or all), each object reduced with `convert`; with `only`, just
    /// the objects of those namespaces are kept.
    async fn list_into<K, T>(
        &self,
        namespace: Option<&str>,
        params: ListParams,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Vec<T>, ApiError>
    where
        K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
        T: for<'a> From<&'a K>,
    {
        let api: Api<K> = match namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        };
        let op = Op::of::<K>("list").ns(namespace.map(String::from));
        let mut out = Vec::new();
        self.list_each(&api, params, op, |obj| {
            if only.is_none_or(|only| obj.meta().namespace.as_ref().is_some_and(|ns| only.contains(ns))) {
                out.push(T::from(&obj));
            }
        })
        .await?;
        Ok(out)
    }

    /// The objects called `names` (absent ones are simply missing from the map): GETs when few,
    /// else one paged LIST filtered locally.
    pub(super) async fn named<K, T>(
        &self,
        api: Api<K>,
        names: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, T>, ApiError>
    where
        K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
        T: for<'a> From<&'a K>,
    {
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        let namespace = api.namespace().map(String::from);
        let mut out = BTreeMap::new();
        if names.len() <= GET_LIMIT {
            let gets = names.iter().map(|name| {
                let op = Op::of::<K>("get").ns(namespace.clone()).name(name.clone());
                let api = api.clone();
                async move { (name.clone(), self.get_opt(&api, name, op).await) }
            });
            for (name, found) in join_all(gets).await {
                if let Some(obj) = found? {
                    out.insert(name, T::from(&obj));
                }
            }
        } else {
            let op = Op::of::<K>("list").ns(namespace);
            self.list_each(&api, ListParams::default(), op, |obj| {
                let name = obj.meta().name.clone().unwrap_or_default();
                if names.contains(&name) {
                    out.insert(name, T::from(&obj));
                }
            })
            .await?;
        }
        Ok(out)
    }
}
