//! Following a rollout: kube-runtime watchers on the StatefulSet, its pods and its
//! ControllerRevisions, merged with a clock tick so that time-based judgements ("not Ready for
//! longer than X") fire even when nothing changes.
//!
//! The follower starts from a one-shot read ([`RolloutInputs`]) and keeps plain-data stores up to
//! date. A watcher that fails before its first complete listing fails the command (RBAC, wrong
//! server); later failures are retried with backoff, as the watcher is designed to, and the
//! operator is told (see [`Follower::take_warnings`]): until a watch reconnects, what is shown
//! may lag behind the cluster. Pods of other owners holding an ordinal's name, which the pod
//! watch (by selector) does not see, are listed again when a create the controller should make
//! does not appear (`holders`).

use std::collections::BTreeMap;
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt};
use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use super::revisions::RolloutInputs;
use super::server_time::ServerTime;
use super::{ApiError, Cluster, Op};
use crate::model;

mod holders;

/// Boxed: full objects are large and the stream holds one at a time.
type Received<K> = Box<Result<Event<K>, watcher::Error>>;

enum Change {
    StatefulSet(Received<apps::StatefulSet>),
    Pod(Received<core::Pod>),
    Revision(Received<apps::ControllerRevision>),
    Tick,
}

/// Which watcher a change came from: index into `Follower::listed`.
const STS: usize = 0;
const PODS: usize = 1;
const REVISIONS: usize = 2;

pub struct Follower {
    changes: BoxStream<'static, Change>,
    cluster: Cluster,
    server: String,
    /// The API server's clock: every judgement is made on it.
    clock: ServerTime,
    namespace: String,
    sts: model::StatefulSet,
    /// Pods matching the selector, from the pod watch.
    pods: BTreeMap<String, model::Pod>,
    /// Pods the selector does not match holding an ordinal's name, as last listed (`holders`).
    holders: BTreeMap<String, model::Pod>,
    holder_check: holders::HolderCheck,
    revisions: model::Part<BTreeMap<String, model::ControllerRevision>>,
    /// Objects received during a watcher's (re)listing, swapped in at InitDone.
    relisting_pods: Option<BTreeMap<String, model::Pod>>,
    relisting_revisions: Option<BTreeMap<String, model::ControllerRevision>>,
    /// Whether each watcher has completed a listing.
    listed: [bool; 3],
    /// Whether the StatefulSet was in the current listing of its watcher.
    sts_listed: bool,
    interruptions: Interruptions,
}

impl Follower {
    /// Starts watching from `inputs` (as returned by `Cluster::rollout_inputs`); ticks every `tick`.
    pub fn start(cluster: &Cluster, inputs: RolloutInputs, tick: Duration) -> Follower {
        let ns = inputs.sts.namespace.clone();
        let selector = inputs.sts.selector.to_query();
        let client = cluster.client.clone();
        let sts_changes = watcher(
            Api::<apps::StatefulSet>::namespaced(client.clone(), &ns),
            watcher::Config::default().fields(&format!("metadata.name={}", inputs.sts.name)),
        )
        .map(|e| Change::StatefulSet(Box::new(e)));
        let pod_changes =
            watcher(Api::<core::Pod>::namespaced(client.clone(), &ns), watcher::Config::default().labels(&selector))
                .map(|e| Change::Pod(Box::new(e)));
        let mut streams: Vec<BoxStream<'static, Change>> = vec![sts_changes.boxed(), pod_changes.boxed()];
        let mut listed = [false, false, true];
        if inputs.revisions.is_ok() {
            let revision_changes = watcher(
                Api::<apps::ControllerRevision>::namespaced(client, &ns),
                watcher::Config::default().labels(&selector),
            )
            .map(|e| Change::Revision(Box::new(e)));
            streams.push(revision_changes.boxed());
            listed[REVISIONS] = false;
        }
        let ticks = futures::stream::unfold(tokio::time::interval(tick), |mut interval| async move {
            interval.tick().await;
            Some((Change::Tick, interval))
        });
        streams.push(ticks.boxed());
        // What the pod watch will list, and the holders read besides (`Cluster::pods_of`).
        let (pods, holders): (Vec<model::Pod>, Vec<model::Pod>) =
            inputs.pods.into_iter().partition(|p| inputs.sts.selector.matches(&p.labels));
        Follower {
            changes: futures::stream::select_all(streams).boxed(),
            cluster: cluster.clone(),
            server: cluster.server.clone(),
            clock: inputs.server.clone(),
            namespace: ns,
            pods: pods.into_iter().map(|p| (p.name.clone(), p)).collect(),
            holders: holders.into_iter().map(|p| (p.name.clone(), p)).collect(),
            holder_check: holders::HolderCheck::default(),
            revisions: inputs.revisions.map(|list| list.into_iter().map(|r| (r.name.clone(), r)).collect()),
            sts: inputs.sts,
            relisting_pods: None,
            relisting_revisions: None,
            listed,
            sts_listed: true,
            interruptions: Interruptions::default(),
        }
    }

    /// Warnings for the operator since the last call: a watch that was interrupted (once per
    /// interruption, not per retry).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.interruptions.warnings)
    }

    /// What is being watched through a watch interrupted since its last event ("pods"): the
    /// status may be behind on it.
    pub fn interrupted(&self) -> Vec<&'static str> {
        (0..WHAT.len()).filter(|&w| self.interruptions.down[w]).map(|w| WHAT[w]).collect()
    }

    /// The objects as they are now.
    pub fn inputs(&self) -> RolloutInputs {
        RolloutInputs {
            now: self.clock.now(),
            server: self.clock.clone(),
            sts: self.sts.clone(),
            pods: self
                .pods
                .values()
                .chain(self.holders.values().filter(|h| !self.pods.contains_key(&h.name)))
                .cloned()
                .collect(),
            revisions: self.revisions.clone().map(|m| m.into_values().collect()),
        }
    }

    /// Waits for the next change or tick, then returns the objects as they are now.
    pub async fn next(&mut self) -> Result<RolloutInputs, ApiError> {
        loop {
            let Some(change) = self.changes.next().await else {
                return Err(self.error(STS, "the watch ended".into()));
            };
            let changed = match change {
                // A tick re-judges what depends on time ("stuck for longer than ..."): always a
                // new status, whether or not the holders listed now differ.
                Change::Tick => {
                    self.check_holders().await;
                    true
                }
                Change::StatefulSet(event) => {
                    let event = self.check(STS, *event)?;
                    self.on_statefulset(event)?
                }
                Change::Pod(event) => {
                    let event = self.check(PODS, *event)?;
                    event.is_some_and(|e| self.on_pod(e))
                }
                Change::Revision(event) => {
                    let event = self.check(REVISIONS, *event)?;
                    event.is_some_and(|e| self.on_revision(e))
                }
            };
            if changed {
                return Ok(self.inputs());
            }
        }
    }

    /// Fails on an error before the watcher's first listing or on a permission error; other errors
    /// are retried (with backoff) by the watcher.
    fn check<K>(
        &mut self,
        which: usize,
        event: Result<Event<K>, watcher::Error>,
    ) -> Result<Option<Event<K>>, ApiError> {
        match event {
            Ok(event) => {
                if matches!(event, Event::InitDone) {
                    self.listed[which] = true;
                }
                self.interruptions.on_event(which);
                Ok(Some(event))
            }
            Err(e) => {
                let e = self.classify(which, e);
                // Permissions do not come back by retrying; neither does a first listing that fails.
                let fatal = matches!(e, ApiError::Forbidden { .. } | ApiError::Unauthorized { .. });
                if fatal || !self.listed[which] {
                    return Err(e);
                }
                tracing::info!("watch interrupted, retrying: {e}");
                self.interruptions.on_error(which, &e);
                Ok(None)
            }
        }
    }

    fn op(&self, which: usize) -> Op {
        let op = match which {
            STS => Op::of::<apps::StatefulSet>("watch"),
            PODS => Op::of::<core::Pod>("watch"),
            _ => Op::of::<apps::ControllerRevision>("watch"),
        };
        op.ns(self.namespace.clone())
    }

    fn classify(&self, which: usize, err: watcher::Error) -> ApiError {
        let op = self.op(which);
        match err {
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => ApiError::classify(op, &self.server, e),
            watcher::Error::WatchError(status) => ApiError::classify(op, &self.server, kube::Error::Api(status)),
            other => self.error(which, other.to_string()),
        }
    }

    fn error(&self, which: usize, message: String) -> ApiError {
        ApiError::Other { op: Box::new(self.op(which)), code: 0, message }
    }

    fn on_statefulset(&mut self, event: Option<Event<apps::StatefulSet>>) -> Result<bool, ApiError> {
        let gone = || ApiError::NotFound {
            op: Box::new(Op::of::<apps::StatefulSet>("watch").ns(self.namespace.clone()).name(self.sts.name.clone())),
        };
        match event {
            Some(Event::Apply(obj) | Event::InitApply(obj)) => {
                self.sts_listed = true;
                let sts = model::StatefulSet::from(&obj);
                if sts.uid != self.sts.uid {
                    return Err(ApiError::Other {
                        op: Box::new(self.op(STS)),
                        code: 0,
                        message: format!("statefulset {} was deleted and created again while following it", sts.name),
                    });
                }
                let changed = sts.resource_version != self.sts.resource_version;
                self.sts = sts;
                Ok(changed)
            }
            Some(Event::Delete(_)) => Err(gone()),
            Some(Event::Init) => {
                self.sts_listed = false;
                Ok(false)
            }
            // A listing without the StatefulSet: it was deleted while the watch was down.
            Some(Event::InitDone) if !self.sts_listed => Err(gone()),
            Some(Event::InitDone) | None => Ok(false),
        }
    }

    fn on_pod(&mut self, event: Event<core::Pod>) -> bool {
        match event {
            Event::Apply(p) => {
                let pod = model::Pod::from(&p);
                self.forget_holder(&pod.name);
                self.pods.insert(pod.name.clone(), pod);
                true
            }
            Event::Delete(p) => {
                let name = p.metadata.name.as_deref().unwrap_or_default();
                self.forget_holder(name);
                self.pods.remove(name).is_some()
            }
            Event::Init => {
                self.relisting_pods = Some(BTreeMap::new());
                false
            }
            Event::InitApply(p) => {
                let pod = model::Pod::from(&p);
                self.forget_holder(&pod.name);
                self.relisting_pods.get_or_insert_with(BTreeMap::new).insert(pod.name.clone(), pod);
                false
            }
            Event::InitDone => {
                self.pods = self.relisting_pods.take().unwrap_or_default();
                true
            }
        }
    }

    fn on_revision(&mut self, event: Event<apps::ControllerRevision>) -> bool {
        let uid = self.sts.uid.clone();
        let convert =
            |r: &apps::ControllerRevision| Some(model::ControllerRevision::from(r)).filter(|r| r.controlled_by(&uid));
        let Ok(revisions) = &mut self.revisions else { return false };
        match event {
            Event::Apply(r) => match convert(&r) {
                Some(r) => {
                    revisions.insert(r.name.clone(), r);
                    true
                }
                None => false,
            },
            Event::Delete(r) => revisions.remove(r.metadata.name.as_deref().unwrap_or_default()).is_some(),
            Event::Init => {
                self.relisting_revisions = Some(BTreeMap::new());
                false
            }
            Event::InitApply(r) => {
                if let Some(r) = convert(&r) {
                    self.relisting_revisions.get_or_insert_with(BTreeMap::new).insert(r.name.clone(), r);
                }
                false
            }
            Event::InitDone => {
                *revisions = self.relisting_revisions.take().unwrap_or_default();
                true
            }
        }
    }
}

/// What each watcher watches, for messages.
const WHAT: [&str; 3] = ["the StatefulSet", "its pods", "its ControllerRevisions"];

/// Which watches are down, and the warnings not yet shown.
#[derive(Debug, Default)]
struct Interruptions {
    down: [bool; 3],
    warnings: Vec<String>,
}

impl Interruptions {
    /// A watch failed after its first listing and is retried. A 410 Gone is routine (the
    /// server's history moved past the watch: the watcher lists again at once) and says nothing.
    fn on_error(&mut self, which: usize, e: &ApiError) {
        let gone = matches!(e, ApiError::Other { code: 410, .. });
        if gone || self.down[which] {
            return;
        }
        self.down[which] = true;
        self.warnings.push(format!(
            "watching {} was interrupted ({e}); retrying: what is shown may lag behind until it reconnects",
            WHAT[which]
        ));
    }

    fn on_event(&mut self, which: usize) {
        self.down[which] = false;
    }
}

fn watcher<K>(
    api: Api<K>,
    config: watcher::Config,
) -> impl futures::Stream<Item = Result<Event<K>, watcher::Error>> + Send
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    kube::runtime::watcher(api, config).default_backoff()
}

#[cfg(test)]
mod tests;
