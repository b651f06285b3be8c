//! Table form of the `ordinals` report.

use jiff::Timestamp;

use super::compact::View;
use super::style::Style;
use super::table::{or_dash, render};
use crate::duration::age;
use crate::ordinals::{OrdinalRow, OrdinalsReport, PodState, Summary};

/// The table `view` asks for: compact for a big StatefulSet, otherwise one row per ordinal.
pub fn view(report: &OrdinalsReport, now: Timestamp, style: Style, view: View) -> String {
    if view.compact { super::ordinals_compact::table(report, style, view) } else { table(report, now, style) }
}

/// One row per ordinal.
pub fn table(report: &OrdinalsReport, now: Timestamp, style: Style) -> String {
    let mut out = header(&report.statefulset, style);
    out.push('\n');
    let rows = report.ordinals.iter().map(|r| row(r, now, style)).collect();
    out.push_str(&render(
        &["ordinal", "pod", "state", "ready", "restarts", "revision", "node", "node health", "age", "dns"],
        rows,
    ));
    let whys = report.ordinals.iter().filter_map(|r| Some((r.pod.clone(), r.why.as_deref()?, r.suggestion.as_deref())));
    explanations(&mut out, whys, &report.notes, style);
    out
}

/// Under the table: each explained pod (or run of pods) with the suggestion for it, then the notes.
pub(super) fn explanations<'a>(
    out: &mut String,
    whys: impl Iterator<Item = (String, &'a str, Option<&'a str>)>,
    notes: &[String],
    style: Style,
) {
    let mut first = true;
    for (pods, why, suggestion) in whys {
        if std::mem::take(&mut first) {
            out.push('\n');
        }
        out.push_str(&format!("{}: {why}\n", style.bold(&pods)));
        if let Some(suggestion) = suggestion {
            out.push_str(&format!("  {} {suggestion}\n", style.dim("→")));
        }
    }
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            out.push_str(&format!("note: {note}\n"));
        }
    }
}

pub fn header(s: &Summary, style: Style) -> String {
    let r = &s.replicas;
    let mut out = format!(
        "statefulset {}/{}: {} desired, {} current, {} ready, {} updated{}; ordinals [{}, {})\n",
        s.namespace,
        s.name,
        r.desired,
        r.current,
        r.ready,
        r.updated,
        r.available.map(|a| format!(", {a} available")).unwrap_or_default(),
        s.ordinals_start,
        s.ordinals_end
    );
    let partition = s.partition.map(|p| format!(" partition {p}")).unwrap_or_default();
    out.push_str(&format!(
        "strategy {}{partition}, podManagementPolicy {}\n",
        s.update_strategy, s.pod_management_policy
    ));
    let revisions = match (&s.current_revision, &s.update_revision) {
        (Some(c), Some(u)) if c == u => format!("revision {c}"),
        (c, u) => format!("revisions: current {}, update {}", or_dash(c.as_ref()), or_dash(u.as_ref())),
    };
    let observed = match s.observed_generation {
        Some(g) if g >= s.generation => String::new(),
        g => format!(" (generation {} not yet observed, controller at {})", s.generation, or_dash(g)),
    };
    out.push_str(&format!("{revisions}{observed}\n"));
    match (&s.service.problem, s.service.headless) {
        (Some(problem), _) => out.push_str(&format!("service: {}\n", style.yellow(problem))),
        (None, Some(true)) => out.push_str(&format!(
            "service {}: headless{}\n",
            s.service.name,
            if s.service.publish_not_ready_addresses == Some(true) {
                ", publishNotReadyAddresses (pods get DNS records before they are Ready)"
            } else {
                ""
            }
        )),
        (None, _) => out.push_str(&format!("service {}: unknown\n", s.service.name)),
    }
    if s.deleting {
        out.push_str(&format!("{}\n", style.red("the StatefulSet is being deleted")));
    }
    out
}

fn row(r: &OrdinalRow, now: Timestamp, style: Style) -> Vec<String> {
    let mut state = match r.state {
        PodState::Terminating => {
            format!("Terminating {}", r.terminating_since.map(|t| age(t, now)).unwrap_or_default())
        }
        other => format!("{other:?}"),
    };
    if let Some(detail) = &r.detail {
        state.push_str(&format!(" ({detail})"));
    }
    let state = match r.state {
        PodState::Missing | PodState::Foreign | PodState::Failed | PodState::Unknown => style.red(&state),
        PodState::Running if r.ready == Some(true) && r.detail.is_none() => style.green(&state),
        _ => style.yellow(&state),
    };
    let health = r.node_health.as_ref().map(|h| {
        let text = h.summary(now);
        if h.suspect_lost {
            style.red(&text)
        } else if h.state == "Ready" {
            text
        } else {
            style.yellow(&text)
        }
    });
    let ordinal = if r.in_range { r.ordinal.to_string() } else { format!("{} (extra)", r.ordinal) };
    vec![
        ordinal,
        r.pod.clone(),
        state,
        or_dash(r.ready),
        or_dash(r.restarts),
        or_dash(r.revision.as_ref()),
        or_dash(r.node.as_ref()),
        or_dash(health),
        or_dash(r.created.map(|t| age(t, now))),
        or_dash(r.dns.as_ref().map(|name| match (r.dns_published, &r.dns_note) {
            (Some(false), Some(why)) => style.yellow(&format!("{name} (not published: {why})")),
            (None, Some(why)) => style.yellow(&format!("{name} (published? {why})")),
            _ => name.clone(),
        })),
    ]
}
