//! Following a rollout until a condition holds: watch events and clock ticks in, a fresh status
//! and the live display out, bounded by --timeout.

use std::time::Duration;

use anyhow::Result;
use jiff::SignedDuration;
use tokio::time::Instant;

use crate::cluster::Cluster;
use crate::cluster::revisions::RolloutInputs;
use crate::cluster::watch::Follower;
use crate::duration::HumanDuration;
use crate::error::Outcome;
use crate::render::rollout::progress::{Mode, Progress};
use crate::rollout::{self, RolloutStatus};

/// How often the status is recomputed without events (so "stuck for longer than X" fires).
const TICK: Duration = Duration::from_secs(1);

/// What a wait condition says about a status.
pub enum Flow {
    Continue,
    Done,
    /// Stop waiting: this will not resolve by itself.
    Stop(String),
}

pub struct Session {
    follower: Follower,
    pub progress: Progress,
    deadline: Instant,
    timeout: HumanDuration,
    stuck_after: SignedDuration,
    /// Statuses of an older generation than this are stale (our own patch not seen yet).
    pub min_generation: i64,
    pub status: RolloutStatus,
    pub inputs: RolloutInputs,
}

impl Session {
    pub fn start(
        cluster: &Cluster,
        inputs: RolloutInputs,
        mode: Mode,
        deadline: Instant,
        timeout: HumanDuration,
        stuck_after: SignedDuration,
    ) -> Session {
        let status = compute(&inputs, stuck_after);
        Session {
            follower: Follower::start(cluster, inputs.clone(), TICK),
            progress: Progress::new(mode),
            deadline,
            timeout,
            stuck_after,
            min_generation: inputs.sts.generation,
            status,
            inputs,
        }
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
            match tokio::time::timeout_at(self.deadline, self.follower.next()).await {
                Ok(inputs) => {
                    self.inputs = inputs?;
                    self.status = compute(&self.inputs, self.stuck_after);
                }
                Err(_) => {
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
    }

    /// Sleeps for `pause` (bounded by the deadline), keeping the display and the watches current.
    pub async fn pause(&mut self, pause: Duration) -> Result<()> {
        let until = Instant::now() + pause;
        if until > self.deadline {
            return Err(Outcome::NotDone(format!(
                "timed out after {}: the pause of {} would end after it",
                self.timeout,
                HumanDuration(SignedDuration::try_from(pause).unwrap_or_default())
            ))
            .into());
        }
        while Instant::now() < until {
            if let Ok(inputs) = tokio::time::timeout_at(until, self.follower.next()).await {
                self.inputs = inputs?;
                self.status = compute(&self.inputs, self.stuck_after);
                self.progress.update(&self.status)?;
            }
        }
        Ok(())
    }
}

pub fn compute(inputs: &RolloutInputs, stuck_after: SignedDuration) -> RolloutStatus {
    rollout::status(&inputs.sts, &inputs.pods, &inputs.revisions, inputs.now, stuck_after)
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
