//! `doctor`'s disruption-safety findings: the PodDisruptionBudgets covering a StatefulSet's pods,
//! and what they do to a voluntary eviction (a node drain, the cluster autoscaler) right now.

use super::{Finding, finding};
use crate::model::{DisruptionBudget, Labels, Pod, Snapshot, StatefulSet};
use crate::severity::Severity;

/// The findings only a policy/v1 server lets us check (unhealthyPodEvictionPolicy, 1.26+).
pub(super) const NEEDS_V1: &[&str] = &["pdb-unhealthy-pod-blocks"];

/// The budgets selecting any of the StatefulSet's pods (or, with none yet, its selector's labels).
pub fn covering<'a>(snap: &'a Snapshot, sts: &'a StatefulSet) -> Vec<&'a DisruptionBudget> {
    let Ok(budgets) = &snap.disruption_budgets else { return vec![] };
    let pods = own_pods(snap, sts);
    let fallback: Labels = sts.selector.match_labels.clone();
    budgets
        .iter()
        .filter(|b| {
            if pods.is_empty() {
                b.selects(&sts.namespace, &fallback)
            } else {
                pods.iter().any(|p| b.selects(&sts.namespace, &p.labels))
            }
        })
        .collect()
}

/// The budgets of `all` that select a pod with `labels` in `namespace`.
pub fn selecting<'a>(all: &'a [DisruptionBudget], namespace: &str, labels: &Labels) -> Vec<&'a DisruptionBudget> {
    all.iter().filter(|b| b.selects(namespace, labels)).collect()
}

fn own_pods<'a>(snap: &'a Snapshot, sts: &'a StatefulSet) -> Vec<&'a Pod> {
    snap.pods_in(&sts.namespace).filter(|p| sts.owns_pod(p) && !p.is_finished()).collect()
}

fn kubectl(sts: &StatefulSet, args: &str) -> Option<String> {
    Some(format!("kubectl -n {} {args}", sts.namespace))
}

pub(super) fn disruption_findings(snap: &Snapshot, sts: &StatefulSet, out: &mut Vec<Finding>) {
    if snap.disruption_budgets.is_err() || sts.deleting.is_some() {
        return;
    }
    let budgets = covering(snap, sts);
    let pods = own_pods(snap, sts);
    if budgets.is_empty() {
        if sts.replicas > 1 {
            out.push(finding(
                Severity::Info,
                "pdb-missing",
                None,
                format!(
                    "no PodDisruptionBudget covers {}'s {} replicas: a node drain or the cluster autoscaler may evict \
                     several at once",
                    sts.name, sts.replicas
                ),
                kubectl(
                    sts,
                    &format!(
                        "create poddisruptionbudget {} --selector={} --max-unavailable=1",
                        sts.name,
                        shell_word(&sts.selector.to_query())
                    ),
                ),
            ));
        }
        return;
    }
    if budgets.len() > 1 {
        let names: Vec<&str> = budgets.iter().map(|b| b.name.as_str()).collect();
        out.push(finding(
            Severity::Error,
            "pdb-overlapping",
            None,
            format!(
                "{} PodDisruptionBudgets cover {}'s pods ({}): the eviction API refuses to evict a pod more than one \
                 budget selects, so a node drain fails on them; keep one",
                names.len(),
                sts.name,
                names.join(", ")
            ),
            kubectl(sts, &format!("get poddisruptionbudget {}", names.join(" "))),
        ));
    }
    for b in budgets {
        budget_findings(snap, sts, b, &pods, out);
    }
}

fn budget_findings(snap: &Snapshot, sts: &StatefulSet, b: &DisruptionBudget, pods: &[&Pod], out: &mut Vec<Finding>) {
    let subject = Some(b.name.as_str());
    let forbids = b.forbids_all(sts.replicas);
    if let Some(why) = &forbids {
        let fix = if b.max_unavailable.is_some() || sts.replicas <= 1 {
            r#"{"spec":{"maxUnavailable":1}}"#.to_string()
        } else {
            format!(r#"{{"spec":{{"minAvailable":{}}}}}"#, sts.replicas - 1)
        };
        out.push(finding(
            Severity::Warning,
            "pdb-forbids-all",
            subject,
            format!(
                "PodDisruptionBudget {} ({why}) forbids every voluntary eviction of {}'s pods: a node drain hangs on \
                 any node running one",
                b.name, sts.name
            ),
            kubectl(sts, &format!("patch poddisruptionbudget {} --type merge -p '{fix}'", b.name)),
        ));
    }
    // Other workloads' pods it selects share the budget.
    let others: Vec<&str> = snap
        .pods_in(&sts.namespace)
        .filter(|p| !sts.owns_pod(p) && !p.is_finished() && b.selects(&sts.namespace, &p.labels))
        .map(|p| p.name.as_str())
        .collect();
    if !others.is_empty() {
        out.push(finding(
            Severity::Warning,
            "pdb-covers-other-pods",
            subject,
            format!(
                "PodDisruptionBudget {} also selects {} pod(s) that are not {}'s ({}): their disruptions use up its \
                 budget, and theirs are counted against it; narrow its selector to {}",
                b.name,
                others.len(),
                sts.name,
                list(&others),
                sts.selector.to_query()
            ),
            kubectl(sts, &format!("get poddisruptionbudget {} -o yaml", b.name)),
        ));
    }
    let observed = b.observed_generation.is_some() && b.observed_generation >= b.generation;
    let unhealthy: Vec<&Pod> = pods.iter().copied().filter(|p| !p.is_healthy()).collect();
    let unhealthy_names: Vec<&str> = unhealthy.iter().map(|p| p.name.as_str()).collect();
    if b.disruptions_allowed <= 0 && forbids.is_none() {
        let why = if !observed {
            "the disruption controller has not computed its status for the current spec yet".to_string()
        } else {
            let mut why = format!(
                "{} of {} expected pod(s) healthy, {} needed ({})",
                b.current_healthy,
                b.expected_pods,
                b.desired_healthy,
                b.budget()
            );
            if !unhealthy_names.is_empty() {
                why.push_str(&format!("; not healthy: {}", list(&unhealthy_names)));
            }
            if let Some(c) = &b.condition {
                why.push_str(&format!("; condition DisruptionAllowed: {c}"));
            }
            why
        };
        out.push(finding(
            Severity::Warning,
            "pdb-no-disruptions-allowed",
            subject,
            format!(
                "PodDisruptionBudget {} allows no disruption right now: {why}; evicting any of {}'s pods (a node \
                 drain) waits until that changes",
                b.name, sts.name
            ),
            kubectl(sts, &format!("get poddisruptionbudget {}", b.name)),
        ));
    }
    // Running but not Ready pods: IfHealthyBudget (the default) evicts them only while the
    // budget has its desired healthy pods; AlwaysAllow (GA in 1.31) always.
    let running_unready: Vec<&str> =
        unhealthy.iter().filter(|p| p.phase == "Running" && !p.is_terminating()).map(|p| p.name.as_str()).collect();
    let policy = b.unhealthy_pod_eviction_policy.as_deref().unwrap_or("IfHealthyBudget");
    if b.knows_eviction_policy()
        && policy != "AlwaysAllow"
        && observed
        && b.current_healthy < b.desired_healthy
        && !running_unready.is_empty()
    {
        let set = if b.unhealthy_pod_eviction_policy.is_some() { "" } else { " (unset: the default)" };
        out.push(finding(
            Severity::Warning,
            "pdb-unhealthy-pod-blocks",
            subject,
            format!(
                "{} Running but not Ready, and PodDisruptionBudget {} has unhealthyPodEvictionPolicy \
                 IfHealthyBudget{set}: with {} of {} needed pods healthy its eviction is refused, so a node drain hangs \
                 on it; AlwaysAllow (1.31+) would let it be evicted, as it counts for nothing",
                list(&running_unready),
                b.name,
                b.current_healthy,
                b.desired_healthy
            ),
            kubectl(
                sts,
                &format!(
                    r#"patch poddisruptionbudget {} --type merge -p '{{"spec":{{"unhealthyPodEvictionPolicy":"AlwaysAllow"}}}}'"#,
                    b.name
                ),
            ),
        ));
    }
}

/// `value` as one shell word: quoted when it holds what a shell would split or expand.
fn shell_word(value: &str) -> String {
    if value.chars().all(|c| c.is_ascii_alphanumeric() || "=,-_./".contains(c)) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn list(names: &[&str]) -> String {
    const SHOWN: usize = 5;
    if names.len() <= SHOWN {
        names.join(", ")
    } else {
        format!("{} and {} more", names[..SHOWN].join(", "), names.len() - SHOWN)
    }
}
