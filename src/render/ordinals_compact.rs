//! The compact `ordinals` table for big StatefulSets: a line per run of consecutive ordinals shown
//! alike (state, ready, revision, node state, DNS, issue and its explanation), the explanations
//! folded the same way, and on a terminal a map of every ordinal's state.

use super::compact::{Glyph, View, groups, map, nodes, pods};
use super::ordinals::{explanations, header};
use super::style::Style;
use super::table::{or_dash, render};
use crate::fold::ranges;
use crate::ordinals::{Issue, OrdinalRow, OrdinalsReport, PodState};

/// What a row of the compact table shows: rows equal in it (and consecutive) fold into one line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    in_range: bool,
    state: PodState,
    detail: Option<String>,
    ready: Option<bool>,
    revision: Option<String>,
    node_state: Option<String>,
    dns: &'static str,
    issue: Option<Issue>,
    why: Option<String>,
    suggestion: Option<String>,
}

fn shown(r: &OrdinalRow) -> Shown {
    Shown {
        in_range: r.in_range,
        state: r.state,
        detail: r.detail.clone(),
        ready: r.ready,
        revision: r.revision.clone(),
        node_state: r
            .node_health
            .as_ref()
            .map(|h| if h.suspect_lost { format!("{} (looks lost)", h.state) } else { h.state.clone() }),
        dns: match (&r.dns, r.dns_published) {
            (None, _) => "-",
            (Some(_), Some(true)) => "published",
            (Some(_), Some(false)) => "not published",
            (Some(_), None) => "unknown",
        },
        issue: r.issue,
        why: r.why.clone(),
        suggestion: r.suggestion.clone(),
    }
}

pub fn table(report: &OrdinalsReport, style: Style, view: View) -> String {
    let sts = &report.statefulset.name;
    let mut out = header(&report.statefulset, style);
    out.push('\n');
    let rows = &report.ordinals;
    let folded = groups(rows.iter().map(|r| (r.ordinal, shown(r))));
    out.push_str(&format!(
        "{} ordinals in {}: {} (--wide for one row each)\n",
        rows.len(),
        super::compact::lines(folded.len()),
        counts(rows)
    ));
    let mut next = 0;
    let lines = folded
        .iter()
        .map(|(ordinals, s)| {
            let members = &rows[next..next + ordinals.len()];
            next += ordinals.len();
            line(ordinals, s, members, style)
        })
        .collect();
    out.push_str(&render(
        &["ordinals", "pods", "state", "ready", "revision", "nodes", "node health", "dns", "issue"],
        lines,
    ));
    if let Some(width) = view.map_width {
        out.push('\n');
        let cells: Vec<(i32, Glyph)> = rows.iter().map(|r| (r.ordinal, glyph(r))).collect();
        out.push_str(&map(&cells, width, style));
    }
    // Explanations: alike ones (same issue, text and suggestion) name their ordinals together.
    let mut whys: Vec<(Vec<i32>, &Shown)> = Vec::new();
    for (ordinals, s) in folded.iter().filter(|(_, s)| s.why.is_some()) {
        match whys.iter_mut().find(|(_, w)| w.issue == s.issue && w.why == s.why && w.suggestion == s.suggestion) {
            Some((all, _)) => all.extend(ordinals),
            None => whys.push((ordinals.clone(), s)),
        }
    }
    let whys = whys
        .into_iter()
        .map(|(ordinals, s)| (pods(sts, &ordinals), s.why.as_deref().unwrap_or_default(), s.suggestion.as_deref()));
    explanations(&mut out, whys, &report.notes, style);
    out
}

/// "997 Running and Ready, 2 Pending, 1 Missing": the ordinals by state, most first.
fn counts(rows: &[OrdinalRow]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in rows {
        let label = match r.state {
            PodState::Running if r.ready == Some(true) => "Running and Ready".to_string(),
            PodState::Running => "Running, not Ready".to_string(),
            state => format!("{state:?}"),
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.iter().map(|(l, n)| format!("{n} {l}")).collect::<Vec<_>>().join(", ")
}

fn line(ordinals: &[i32], s: &Shown, members: &[OrdinalRow], style: Style) -> Vec<String> {
    let mut state = format!("{:?}", s.state);
    if let Some(detail) = &s.detail {
        state.push_str(&format!(" ({detail})"));
    }
    let state = match s.state {
        PodState::Missing | PodState::Foreign | PodState::Failed | PodState::Unknown => style.red(&state),
        PodState::Running if s.ready == Some(true) && s.detail.is_none() => style.green(&state),
        _ => style.yellow(&state),
    };
    let range = ranges(ordinals);
    let issue = s.issue.map(|i| serde_json::to_value(i).ok().and_then(|v| v.as_str().map(String::from)));
    vec![
        if s.in_range { range } else { format!("{range} (extra)") },
        ordinals.len().to_string(),
        state,
        or_dash(s.ready),
        or_dash(s.revision.as_ref()),
        nodes(members.iter().filter_map(|r| r.node.as_deref())),
        or_dash(s.node_state.as_ref()),
        s.dns.to_string(),
        or_dash(issue.flatten()),
    ]
}

fn glyph(r: &OrdinalRow) -> Glyph {
    let lost = r.node_health.as_ref().is_some_and(|h| h.suspect_lost);
    match r.state {
        _ if lost => Glyph::Trouble,
        PodState::Failed | PodState::Succeeded | PodState::Unknown | PodState::Foreign => Glyph::Trouble,
        PodState::Missing => Glyph::Missing,
        PodState::Terminating => Glyph::Terminating,
        PodState::Pending => Glyph::Pending,
        PodState::Running if r.ready != Some(true) => Glyph::NotReady,
        _ if r.revision.as_deref().is_some_and(|rev| rev != "update") => Glyph::ReadyOld,
        _ => Glyph::Ready,
    }
}

#[cfg(test)]
#[path = "ordinals_compact_tests.rs"]
mod tests;
