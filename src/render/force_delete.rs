//! Table form of the `force-delete` report: the evidence checklist, the plan, what was done.

use super::style::Style;
use super::table::render;
use crate::duration::human;
use crate::force_delete::wait::WaitReport;
use crate::force_delete::{ActionReport, ActionStatus, Check, Report, Verdict};

/// Header, checklist, warnings and verdict: printed whether allowed or refused.
pub fn checklist(report: &Report, style: Style) -> String {
    let p = &report.pod;
    let t = &report.thresholds;
    let mut out = format!(
        "force-delete pod {}/{} (uid {}) on node {}\n",
        p.namespace,
        p.name,
        p.uid,
        p.node.as_deref().unwrap_or("<none>")
    );
    out.push_str(&format!(
        "requires: Ready Unknown >= {}, Lease stale >= {}, no pod status written since, and a strong signal \
         (Node deleted, shutdown or out-of-service taint, or --node-fenced)\n\n",
        human(jiff::SignedDuration::from_secs(t.not_ready_for_seconds)),
        human(jiff::SignedDuration::from_secs(t.lease_stale_for_seconds)),
    ));
    let rows = report.decision.checks.iter().map(|c| vec![c.name.to_string(), result(c, style), c.detail.clone()]);
    out.push_str(&render(&["check", "result", "detail"], rows.collect()));
    if !report.decision.warnings.is_empty() {
        out.push('\n');
        for w in &report.decision.warnings {
            out.push_str(&format!("{} {w}\n", style.yellow("warning:")));
        }
    }
    out.push('\n');
    match report.decision.verdict {
        Verdict::Allowed => out.push_str(&format!("verdict: {}: node loss is confirmed\n", style.green("allowed"))),
        Verdict::Refused => {
            let missing: Vec<&str> =
                report.decision.checks.iter().filter(|c| c.required && !c.ok).map(|c| c.name).collect();
            out.push_str(&format!("verdict: {}: missing evidence: {}\n", style.red("refused"), missing.join(", ")));
        }
    }
    out
}

/// RESULT cell: required checks are ok / MISSING; informational ones are info / warning.
fn result(c: &Check, style: Style) -> String {
    match (c.required, c.ok) {
        (true, true) => style.green("ok"),
        (true, false) => style.red("MISSING"),
        (false, true) => "info".into(),
        (false, false) => style.yellow("warning"),
    }
}

/// The plan: exactly what will happen, before the confirmation.
pub fn plan(report: &Report, dry_run: bool) -> String {
    let mut out =
        String::from(if dry_run { "\nplan (server-side dry run: nothing is persisted):\n" } else { "\nplan:\n" });
    for (i, step) in report.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {step}\n", i + 1));
    }
    if !report.follows.is_empty() {
        out.push_str("then:\n");
        for line in &report.follows {
            out.push_str(&format!("  - {line}\n"));
        }
    }
    out
}

/// One line saying what was done.
pub fn action(a: &ActionReport, style: Style) -> String {
    let text = match a.status {
        ActionStatus::Deleted | ActionStatus::Tainted => style.green(&a.detail),
        ActionStatus::Conflict | ActionStatus::Failed => style.red(&a.detail),
        _ => a.detail.clone(),
    };
    format!("\n{text}\n")
}

/// The outcome of --wait.
pub fn wait(w: &WaitReport, pod: &str, style: Style) -> String {
    let mut out = String::new();
    if let Some(note) = &w.note {
        out.push_str(&format!("wait: {note}\n"));
    }
    if w.skipped {
        return out;
    }
    let state = w.last.describe(pod);
    let elapsed = human(jiff::SignedDuration::from_secs(w.elapsed_seconds as i64));
    if w.done {
        out.push_str(&format!("{} after {elapsed}\n", style.green(&state)));
    } else {
        out.push_str(&format!("{} after {elapsed}: {state}\n", style.red("not done")));
    }
    for trouble in &w.volume_trouble {
        out.push_str(&format!("{} {trouble}\n", style.yellow("volume:")));
    }
    out
}
