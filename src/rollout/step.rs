//! Canary stepping: planning partition changes, and deciding when the next one may go.

use serde::Serialize;

use super::{Phase, RolloutStatus};

/// What the operator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Lower the partition by `by` once, or with `until`, step by step until it reaches it.
    Step { by: i32, until: Option<i32> },
    /// Set the partition to this value once.
    To(i32),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepPlan {
    pub statefulset: String,
    /// The partition as written now.
    pub from: i32,
    /// Partitions to set, in order (the last one is the target).
    pub steps: Vec<i32>,
    /// Raising the partition pauses the rollout: nothing is updated.
    pub raises: bool,
    /// For each step, the pods the controller then updates (deletes and recreates from the update
    /// revision), highest first.
    pub updates: Vec<Vec<String>>,
    /// The generation the plan was made against: a different one means the spec changed.
    pub generation: i64,
    pub update_revision: Option<String>,
}

impl StepPlan {
    pub fn target(&self) -> i32 {
        self.steps.last().copied().unwrap_or(self.from)
    }
}

/// Plans the partition changes for `request`, or says why not (the refusal names what is wrong).
pub fn plan(status: &RolloutStatus, request: Request) -> Result<StepPlan, String> {
    let s = &status.statefulset;
    if s.update_strategy == "OnDelete" {
        return Err(format!(
            "{} uses the OnDelete strategy: the partition does nothing there; delete the pods listed by `kubectl \
             sts-doctor -n {} rollout {}` to update them",
            s.name, s.namespace, s.name
        ));
    }
    if s.deleting {
        return Err(format!("statefulset {} is being deleted", s.name));
    }
    if s.observed_generation.is_none_or(|g| g < s.generation) {
        return Err(format!(
            "the controller has not observed generation {} of {} yet: the status is not current, so the step could \
             not be judged; retry once kube-controller-manager caught up",
            s.generation, s.name
        ));
    }
    let from = s.partition.unwrap_or(0);
    // Raising the partition pauses a rollout: exactly what a broken one may need.
    let raises = matches!(request, Request::To(to) if to > from);
    if status.phase.is_blocked() && !raises {
        return Err(format!(
            "the rollout is {}: {}; lowering the partition would only add pods to a broken rollout (raising it, \
             with --to, pauses it)",
            status.phase.label(),
            status.reason
        ));
    }
    let replicas = s.replicas.max(0);
    // A partition above replicas updates nothing: count steps from replicas.
    let effective = from.min(replicas);
    let steps = match request {
        Request::To(to) => {
            if to == from {
                return Err(format!("the partition of {} is already {to}", s.name));
            }
            vec![to]
        }
        Request::Step { by, until } => {
            // Without --until a canary step is one step: the operator looks before going on.
            let until = until.unwrap_or((effective - by.max(1)).max(0));
            if effective <= until {
                return Err(format!(
                    "the partition of {} is {from}{}: nothing to lower down to {until}",
                    s.name,
                    if from > replicas { format!(" (above replicas {replicas})") } else { String::new() }
                ));
            }
            let mut steps = Vec::new();
            let mut p = effective;
            while p > until {
                p = (p - by.max(1)).max(until);
                steps.push(p);
            }
            steps
        }
    };
    let mut updates = Vec::new();
    let mut previous = effective;
    for &p in &steps {
        updates.push(pods_updated_between(status, p, previous));
        previous = previous.min(p.clamp(0, replicas));
    }
    Ok(StepPlan {
        statefulset: s.name.clone(),
        from,
        raises: steps.last().is_some_and(|&t| t > from),
        steps,
        updates,
        generation: s.generation,
        update_revision: s.update_revision.as_ref().map(|r| r.name.clone()),
    })
}

/// Pods with index in [new, old) that are not on the update revision yet, highest first.
fn pods_updated_between(status: &RolloutStatus, new: i32, old: i32) -> Vec<String> {
    let update = status.statefulset.update_revision.as_ref().map(|r| r.name.as_str());
    let mut pods: Vec<(i32, String)> = status
        .ordinals
        .iter()
        .filter(|r| r.in_range && r.index >= new && r.index < old)
        .filter(|r| r.revision_hash.as_deref() != update || update.is_none())
        .map(|r| (r.ordinal, r.pod.clone()))
        .collect();
    pods.sort_by_key(|(o, _)| std::cmp::Reverse(*o));
    pods.into_iter().map(|(_, p)| p).collect()
}

/// Whether the next partition change may be made now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The pods from the partition up are updated, Ready and available.
    Go,
    /// Not yet: why.
    Wait(String),
    /// Never without intervention: why.
    Stop(String),
}

/// Lowering the partition waits until the already-updated pods are Ready (and available); raising
/// it never waits (it only pauses the rollout), not even for a stuck or trapped one.
pub fn gate(status: &RolloutStatus, next_partition: i32) -> Gate {
    let s = &status.statefulset;
    if s.partition.is_some_and(|p| next_partition >= p) {
        return Gate::Go;
    }
    if status.phase.is_blocked() {
        return Gate::Stop(format!("the rollout is {}: {}", status.phase.label(), status.reason));
    }
    match status.phase {
        Phase::Done | Phase::PartitionComplete => Gate::Go,
        _ => Gate::Wait(status.reason.clone()),
    }
}

#[cfg(test)]
#[path = "step_tests.rs"]
mod tests;
