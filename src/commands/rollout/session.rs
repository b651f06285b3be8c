//! Following a rollout until a condition holds: watch events and clock ticks in, a fresh status
//! and the live display out, bounded by --timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;
use futures::FutureExt;
use futures::future::{Fuse, FusedFuture};
use jiff::SignedDuration;
use tokio::time::Instant;

use crate::cluster::Cluster;
use crate::cluster::revisions::RolloutInputs;
use crate::cluster::watch::Follower;
use crate::duration::HumanDuration;
use crate::error::Outcome;
use crate::health::NodeHealth;
use crate::render::rollout::progress::{Mode, Progress};
use crate::rollout::{self, Facts, RolloutStatus};

/// How often the status is recomputed without events (so "stuck for longer than X" fires).
const TICK: Duration = Duration::from_secs(1);

/// What a wait condition says about a status.
pub enum Flow {
    Continue,
    Done,
    /// Stop waiting: this will not resolve by itself.
    Stop(String),
}

/// Completes at the first Ctrl-C (handed over by `app::run`, see `interrupt`); a second one then
/// exits at once.
type Interrupt = Fuse<Pin<Box<dyn Future<Output = ()> + Send>>>;

fn interrupt() -> Interrupt {
    crate::interrupt::claim();
    let first = async {
        crate::interrupt::next().await;
        // Still claimed: a second Ctrl-C (while the final report is read and printed) exits at once.
        tokio::spawn(async {
            crate::interrupt::next().await;
            std::process::exit(130);
        });
    };
    let first: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(first);
    first.fuse()
}

pub struct Session {
    follower: Follower,
    /// Ctrl-C ends the wait like a timeout: the final report says where things stand.
    interrupt: Interrupt,
    pub progress: Progress,
    /// None: no deadline (a --timeout too long to count).
    deadline: Option<Instant>,
    timeout: HumanDuration,
    stuck_after: SignedDuration,
    /// Statuses of an older generation than this are stale (our own patch not seen yet).
    pub min_generation: i64,
    pub status: RolloutStatus,
    pub inputs: RolloutInputs,
    /// The status comes from a read of its own, not from the watches.
    afresh: bool,
}

impl Session {
    pub fn start(
        cluster: &Cluster,
        inputs: RolloutInputs,
        mode: Mode,
        deadline: Option<Instant>,
        timeout: HumanDuration,
        stuck_after: SignedDuration,
    ) -> Session {
        let status = compute(&inputs, stuck_after);
        let mut follower = Follower::start(cluster, inputs.clone(), TICK);
        follower.awaiting_creates(creates(&status));
        Session {
            follower,
            interrupt: interrupt(),
            progress: Progress::new(mode),
            deadline,
            timeout,
            stuck_after,
            min_generation: inputs.sts.generation,
            status,
            inputs,
            afresh: false,
        }
    }

    /// Replaces the status with one from `inputs`, a read of its own.
    pub fn read_afresh(&mut self, inputs: RolloutInputs) {
        self.status = compute(&inputs, self.stuck_after);
        self.inputs = inputs;
        self.afresh = true;
    }

    /// Shows statuses as they change until `check` says done (Ok) or stop (NotDone), or the
    /// deadline passes (NotDone).
    pub async fn wait(&mut self, mut check: impl FnMut(&RolloutStatus) -> Flow) -> Result<()> {
        loop {
            if self.inputs.sts.generation >= self.min_generation {
                self.progress.update(&self.status)?;
                match check(&self.status) {
                    Flow::Done => return Ok(()),
                    Flow::Stop(reason) => return Err(Outcome::NotDone(reason).into()),
                    Flow::Continue => {}
                }
            }
            if !self.advance(self.deadline).await? {
                return Err(Outcome::NotDone(format!(
                    "timed out after {}: {}: {}",
                    self.timeout,
                    self.status.phase.label(),
                    self.status.reason
                ))
                .into());
            }
        }
    }

    /// Takes the next inputs from the watches (or a tick) and recomputes the status: false when
    /// `until` passed first. Ctrl-C ends it with the interrupted outcome.
    async fn advance(&mut self, until: Option<Instant>) -> Result<bool> {
        let next = async {
            match until {
                Some(until) => tokio::time::timeout_at(until, self.follower.next()).await.ok(),
                None => Some(self.follower.next().await),
            }
        };
        let next = tokio::select! {
            next = next => next,
            () = &mut self.interrupt, if !self.interrupt.is_terminated() => {
                return Err(self.interrupted());
            }
        };
        self.show_warnings();
        let Some(inputs) = next else { return Ok(false) };
        self.inputs = inputs?;
        self.status = compute(&self.inputs, self.stuck_after);
        self.follower.awaiting_creates(creates(&self.status));
        Ok(true)
    }

    /// A watch interrupted (and retried) is said at once: the display may lag until it reconnects.
    fn show_warnings(&mut self) {
        for warning in self.follower.take_warnings() {
            self.progress.warn(&warning);
        }
    }

    /// A note for the final status when a watch was interrupted and nothing came from it since:
    /// the status may be behind on what it watches.
    pub fn lag_note(&self) -> Option<String> {
        let lagging = self.follower.interrupted();
        (!lagging.is_empty() && !self.afresh).then(|| {
            format!(
                "watching {} was interrupted and nothing came from it since: this status may be behind the cluster \
                 (re-run to read it afresh)",
                lagging.join(" and ")
            )
        })
    }

    fn interrupted(&self) -> anyhow::Error {
        let (phase, reason) = (self.status.phase.label(), &self.status.reason);
        Outcome::Interrupted(format!("interrupted (Ctrl-C): {phase}: {reason}")).into()
    }

    /// Sleeps for `pause` (bounded by the deadline), keeping the display and the watches current.
    /// A pause too long to count lasts until the deadline, if any.
    pub async fn pause(&mut self, pause: Duration) -> Result<()> {
        let until = deadline_after(pause);
        if let Some(deadline) = self.deadline
            && until.is_none_or(|u| u > deadline)
        {
            return Err(Outcome::NotDone(format!(
                "timed out after {}: the pause of {} would end after it",
                self.timeout,
                HumanDuration(SignedDuration::try_from(pause).unwrap_or(SignedDuration::MAX))
            ))
            .into());
        }
        while until.is_none_or(|u| Instant::now() < u) {
            if self.advance(until).await? {
                self.progress.update(&self.status)?;
            }
        }
        Ok(())
    }
}

/// `d` from now, or None when that is beyond what the clock can count (no deadline).
pub fn deadline_after(d: Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}

/// The end of following for `--timeout`: 0 means none, as in `kubectl rollout status`.
pub fn follow_deadline(timeout: Duration) -> Option<Instant> {
    if timeout.is_zero() { None } else { deadline_after(timeout) }
}

/// What the rollout model knows besides the objects, from the inputs (and node health, if read).
pub fn facts(inputs: &RolloutInputs, nodes: BTreeMap<String, NodeHealth>) -> Facts {
    Facts {
        nodes,
        server_version: inputs.server.version.clone(),
        local_skew_seconds: inputs.server.local_skew_seconds,
        local_clock_only: inputs.server.local_skew_seconds.is_none(),
    }
}

pub fn compute(inputs: &RolloutInputs, stuck_after: SignedDuration) -> RolloutStatus {
    let facts = facts(inputs, BTreeMap::new());
    rollout::status_with(&inputs.sts, &inputs.pods, &inputs.revisions, &facts, inputs.now, stuck_after)
}

/// The pods the controller creates next, by the status: if they do not appear, the follower looks
/// for a pod of another owner holding their names (`cluster::watch` holders).
fn creates(status: &RolloutStatus) -> BTreeSet<String> {
    let next = &status.controller_next;
    if next.action == "create" { next.pods.iter().cloned().collect() } else { BTreeSet::new() }
}

/// Follow until complete (Done or PartitionComplete); blocked means stop.
pub fn until_complete(status: &RolloutStatus) -> Flow {
    if status.phase.is_complete() {
        Flow::Done
    } else if status.phase.is_blocked() {
        Flow::Stop(format!("{}: {}", status.phase.label(), status.reason))
    } else {
        Flow::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_too_long_to_count_is_no_deadline() {
        assert!(deadline_after(Duration::from_secs(60)).is_some());
        assert_eq!(deadline_after(Duration::from_secs(i64::MAX as u64)), None);
        assert_eq!(deadline_after(Duration::MAX), None);
    }

    #[test]
    fn a_zero_timeout_follows_without_a_deadline_as_kubectl_rollout_status() {
        assert_eq!(follow_deadline(Duration::ZERO), None);
        assert!(follow_deadline(Duration::from_secs(1)).is_some());
    }
}
