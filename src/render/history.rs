//! Table forms of `rollout history`, `rollout diff` and the plan of `rollout undo`.

use jiff::Timestamp;

use super::style::Style;
use super::table::{or_dash, render};
use crate::duration::age;
use crate::fold::ranges;
use crate::history::diff::DiffReport;
use crate::history::undo::UndoPlan;
use crate::history::{HistoryReport, RevisionRow};

pub fn history(report: &HistoryReport, now: Timestamp, style: Style) -> String {
    let mut out = format!("{}\n\n", style.bold(&report.summary));
    let rows = report.revisions.iter().map(|r| row(r, now)).collect();
    out.push_str(&render(&["revision", "name", "age", "marker", "ordinals", "change-cause", "note"], rows));
    for note in &report.notes {
        out.push_str(&format!("\nnote: {note}"));
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    out
}

fn row(r: &RevisionRow, now: Timestamp) -> Vec<String> {
    let mut markers = Vec::new();
    if r.current {
        markers.push("current");
    }
    if r.update {
        markers.push("update");
    }
    if r.live && !r.update {
        markers.push("spec");
    }
    let note = match r.defaults_only_since {
        Some(n) => format!("same pods as {n}: only server-filled defaults differ"),
        None => "-".into(),
    };
    vec![
        r.number.to_string(),
        r.name.clone(),
        or_dash(r.created.map(|c| age(c, now))),
        if markers.is_empty() { "-".into() } else { markers.join(",") },
        if r.ordinals.is_empty() { "-".into() } else { ranges(&r.ordinals) },
        or_dash(r.change_cause.clone()),
        note,
    ]
}

/// The diff with `+` lines green, `-` lines red and hunk headers dim on a terminal.
pub fn colored_diff(diff: &str, style: Style) -> String {
    diff.lines()
        .map(|line| {
            let painted = if line.starts_with("+++") || line.starts_with("---") {
                style.bold(line)
            } else if line.starts_with('+') {
                style.green(line)
            } else if line.starts_with('-') {
                style.red(line)
            } else if line.starts_with("@@") {
                style.dim(line)
            } else {
                line.to_string()
            };
            painted + "\n"
        })
        .collect()
}

pub fn diff(report: &DiffReport, style: Style) -> String {
    let (from, to) = (&report.from.label, &report.to.label);
    let s = &report.statefulset;
    let verdict = if report.identical {
        format!("statefulset {}/{}: {from} and {to} have the same pod template", s.namespace, s.name)
    } else if report.defaults_only {
        format!(
            "statefulset {}/{}: {from} -> {to} differ only by fields the API server fills in: the pods run the same \
             ({})",
            s.namespace,
            s.name,
            crate::history::churn::CHURN_ISSUE
        )
    } else {
        format!("statefulset {}/{}: pod template {from} -> {to}", s.namespace, s.name)
    };
    let mut out = format!("{}\n", style.bold(&verdict));
    if report.identical
        && report.from.revision.is_some()
        && s.current_revision.is_some()
        && s.current_revision == s.update_revision
    {
        out.push_str("no rollout in progress (current and update revision are the same): compare with an older one, e.g. --from 1\n");
    }
    if !report.diff.is_empty() {
        out.push('\n');
        out.push_str(&colored_diff(&report.diff, style));
    }
    out
}

pub fn undo_plan(plan: &UndoPlan, namespace: &str, name: &str, dry_run: bool, style: Style) -> String {
    let dry = if dry_run { " (dry run)" } else { "" };
    let from = plan.from.as_ref().map_or("its live template".to_string(), |f| format!("revision {f}"));
    let mut out = format!(
        "plan{dry}: restore the pod template of revision {} on statefulset {namespace}/{name} (from {from}; \
         precondition resourceVersion {})\n  {}\n",
        plan.to, plan.resource_version, plan.effect
    );
    if !plan.diff.is_empty() {
        out.push('\n');
        out.push_str(&colored_diff(&plan.diff, style));
    }
    for warning in &plan.warnings {
        out.push_str(&format!("{} {warning}\n", style.yellow("warning:")));
    }
    out
}
