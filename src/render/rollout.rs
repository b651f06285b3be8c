//! Table form of the `rollout` report, the plan of a partition change, and (in `progress`) the
//! live display while following.

pub mod block;
pub mod progress;

use jiff::Timestamp;

use super::style::Style;
use super::table::{or_dash, render};
use crate::duration::{HumanDuration, age};
use crate::rollout::step::StepPlan;
use crate::rollout::{Phase, RevisionRef, RolloutStatus, Row, Summary, Wants};

pub fn table(status: &RolloutStatus, now: Timestamp, style: Style) -> String {
    let mut out = header(&status.statefulset);
    out.push_str(&format!("{}\n", phase_line(status, style)));
    if let Some(explanation) = &status.explanation {
        out.push_str(&format!("\n{explanation}\n"));
    }
    out.push('\n');
    let s = &status.statefulset;
    let revisions_equal = s.current_revision.is_some() && s.current_revision == s.update_revision;
    let rows = status.ordinals.iter().map(|r| row(r, revisions_equal, now, style)).collect();
    out.push_str(&render(&["ordinal", "pod", "revision", "wants", "state", "ready", "since", "note"], rows));
    out.push('\n');
    // OnDelete has no partition: every pod is to be updated.
    let scope = if status.statefulset.partition.is_some() { " from the partition up" } else { "" };
    out.push_str(&format!("updated: {}/{}{scope}\n", status.progress.updated, status.progress.total));
    for note in &status.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    if let Some(next) = next_hint(status) {
        out.push_str(&format!("{next}\n"));
    }
    out
}

pub fn header(s: &Summary) -> String {
    let range = format!("[{}, {})", s.ordinals_start, s.ordinals_start + s.replicas.max(0));
    let strategy = match (s.partition, s.first_updated_ordinal) {
        (Some(p), Some(first)) if p > 0 => {
            format!("{} partition {p} (updates ordinals {first} and up)", s.update_strategy)
        }
        (Some(p), _) => format!("{} partition {p}", s.update_strategy),
        (None, _) => s.update_strategy.clone(),
    };
    let mut out = format!(
        "statefulset {}/{}: {strategy}, {}, {} replicas, ordinals {range}\n",
        s.namespace, s.name, s.pod_management_policy, s.replicas
    );
    let observed = match s.observed_generation {
        Some(g) if g >= s.generation => "observed".to_string(),
        g => format!("not observed yet (controller at {})", or_dash(g)),
    };
    let mut extra = String::new();
    if let Some(min) = s.min_ready_seconds.filter(|m| *m > 0) {
        extra.push_str(&format!(", minReadySeconds {min}"));
    }
    if let Some(max) = &s.max_unavailable {
        extra.push_str(&format!(", maxUnavailable {max}"));
    }
    out.push_str(&format!("generation {} {observed}{extra}\n", s.generation));
    let revisions = match (&s.current_revision, &s.update_revision) {
        (Some(c), Some(u)) if c.name == u.name => format!("revision {}", revision(c)),
        (c, u) => format!(
            "revisions: current {}, update {}",
            c.as_ref().map_or("-".into(), revision),
            u.as_ref().map_or("-".into(), revision)
        ),
    };
    out.push_str(&format!("{revisions}\n"));
    out
}

fn revision(r: &RevisionRef) -> String {
    match r.number {
        Some(n) => format!("{} ({n})", r.name),
        None => r.name.clone(),
    }
}

pub fn phase_line(status: &RolloutStatus, style: Style) -> String {
    let label = status.phase.label();
    let label = match status.phase {
        Phase::Done | Phase::PartitionComplete => style.green(label),
        Phase::Stuck | Phase::Trapped => style.red(label),
        Phase::Progressing | Phase::WaitingForOnDelete => style.yellow(label),
    };
    format!("{label}: {}", status.reason)
}

fn row(r: &Row, revisions_equal: bool, now: Timestamp, style: Style) -> Vec<String> {
    let revision = match (&r.revision, r.revision_number) {
        (Some(kind), Some(n)) => format!("{kind} ({n})"),
        (kind, _) => or_dash(kind.as_ref()),
    };
    let wants = match r.wants {
        // Below the partition with nothing rolling: the current revision is the update revision,
        // as REVISION says.
        Wants::Current if revisions_equal => "update",
        Wants::Current => "current",
        Wants::Update => "update",
        Wants::Removal => "removal",
    };
    let mut state = r.state.clone();
    if let Some(waiting) = &r.waiting {
        state.push_str(&format!(" ({waiting})"));
    }
    let healthy = r.state == "Running" && r.ready == Some(true);
    let state = if r.state == "Foreign" {
        style.red(&state)
    } else if r.settled || !r.exists || healthy {
        state
    } else {
        style.yellow(&state)
    };
    let ordinal = if r.in_range { r.ordinal.to_string() } else { format!("{} (extra)", r.ordinal) };
    vec![
        ordinal,
        r.pod.clone(),
        revision,
        wants.to_string(),
        state,
        or_dash(r.ready),
        or_dash(r.since.map(|t| age(t, now))),
        or_dash(r.note.as_ref()),
    ]
}

/// What the operator can do next.
fn next_hint(status: &RolloutStatus) -> Option<String> {
    let s = &status.statefulset;
    let ns = &s.namespace;
    match status.phase {
        Phase::PartitionComplete if s.partition.is_some_and(|p| p > 0) => Some(format!(
            "next: lower the partition to update more pods: kubectl sts-doctor rollout {} -n {ns} --step 1 (or --to 0)",
            s.name
        )),
        Phase::Trapped => Some(format!("fix: kubectl sts-doctor rollout {} -n {ns} --fix", s.name)),
        Phase::WaitingForOnDelete => status
            .pods_to_delete
            .first()
            .map(|pod| format!("next: kubectl delete pod {pod} -n {ns}   (then wait for it to be Ready)")),
        Phase::Progressing => Some(format!("follow: kubectl sts-doctor rollout {} -n {ns} --watch", s.name)),
        _ => None,
    }
}

/// The plan of a partition change, printed before it is confirmed.
pub fn plan(plan: &StepPlan, pause: HumanDuration, dry_run: bool) -> String {
    let mut out = String::new();
    let dry = if dry_run { " (dry run)" } else { "" };
    if plan.raises {
        out.push_str(&format!(
            "plan{dry}: raise the partition of {} from {} to {}: pauses the rollout; pods already updated keep their \
             revision\n",
            plan.statefulset,
            plan.from,
            plan.target()
        ));
        return out;
    }
    let chain: Vec<String> =
        std::iter::once(plan.from).chain(plan.steps.iter().copied()).map(|p| p.to_string()).collect();
    out.push_str(&format!("plan{dry}: lower the partition of {} {}", plan.statefulset, chain.join(" -> ")));
    if plan.steps.len() > 1 {
        out.push_str(", each step once the updated pods are Ready");
        if pause.as_secs() > 0 {
            out.push_str(&format!(" and {pause} have passed"));
        }
    }
    out.push('\n');
    let update = plan.update_revision.as_deref().unwrap_or("-");
    for (step, pods) in plan.steps.iter().zip(&plan.updates) {
        let what = if pods.is_empty() {
            "no pod changes (already on the update revision)".to_string()
        } else {
            format!("the controller updates {} to revision {update}", pods.join(", "))
        };
        out.push_str(&format!("  partition {step}: {what}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{now, pod, sts, with};

    fn status(set: serde_json::Value, pods: Vec<serde_json::Value>) -> RolloutStatus {
        crate::rollout::tests::run_with(set, pods, Ok(vec![]))
    }

    #[test]
    fn the_count_of_updated_pods_mentions_the_partition_only_where_there_is_one() {
        let pods: Vec<serde_json::Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
        let rolling =
            with(sts("web", 3), json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 1 } } } }));
        assert!(
            table(&status(rolling, pods.clone()), now(), Style::plain())
                .contains("\nupdated: 2/2 from the partition up\n")
        );
        let on_delete = with(
            sts("web", 3),
            json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } },
                    "status": { "updateRevision": "web-r2" } }),
        );
        let text = table(&status(on_delete, pods), now(), Style::plain());
        assert!(text.contains("\nupdated: 0/3\n"), "{text}");
    }

    #[test]
    fn revision_and_wants_agree_when_nothing_is_rolling() {
        let pods: Vec<serde_json::Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
        let partitioned =
            with(sts("web", 3), json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 2 } } } }));
        let rows = |text: &str| -> Vec<Vec<String>> {
            let start = text.lines().position(|l| l.starts_with("ORDINAL")).unwrap() + 1;
            text.lines().skip(start).take(3).map(|l| l.split_whitespace().take(5).map(String::from).collect()).collect()
        };
        // Done, below and above the partition alike: on the update revision, and wanted there.
        let text = table(&status(partitioned.clone(), pods.clone()), now(), Style::plain());
        for row in rows(&text) {
            assert_eq!(row[2..], ["update", "update", "Running"], "{text}");
        }
        // Rolling: web-0 and web-1 stay on the current revision below the partition.
        let rolling = with(partitioned, json!({ "status": { "updateRevision": "web-r2" } }));
        let mut pods = pods;
        pods[2] = with(pods[2].clone(), json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } }));
        let text = table(&status(rolling, pods), now(), Style::plain());
        let wants: Vec<(String, String)> = rows(&text).into_iter().map(|r| (r[2].clone(), r[3].clone())).collect();
        let expected = [("current", "current"), ("current", "current"), ("update", "update")];
        assert_eq!(wants, expected.map(|(a, b)| (a.to_string(), b.to_string())), "{text}");
    }
}
