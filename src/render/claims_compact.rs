//! The compact `claims` table for big StatefulSets: per template, a line per run of consecutive
//! ordinals whose claims are shown alike (status, size, class, access, reclaim policy, who mounts
//! them, the kinds of their flags); then the flags, alike ones together and a few of each kind.

use super::claims::{access_modes, size};
#[cfg(test)]
use super::compact::View;
use super::compact::{groups, nodes};
use super::style::Style;
use super::table::{or_dash, render};
use crate::claims::{ClaimRow, ClaimStatus, ClaimsReport};
use crate::fold::ranges;
use crate::model::names::pod_name;
use crate::severity::Severity;

/// Flag lines shown per kind of flag; the rest are counted (--wide lists each).
const FLAGS_PER_KIND: usize = 5;

/// What a line of the compact table shows: consecutive claims equal in it fold into one line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    template: String,
    /// in range, reserved, foreign or orphan.
    place: &'static str,
    status: ClaimStatus,
    size: String,
    class: Option<String>,
    access: String,
    reclaim: Option<String>,
    /// "own pod", "-", or the pods (other than its own).
    mounted: String,
    /// Pinned to a node (node-local volume), and that node's state.
    pinned: Option<String>,
    flags: Vec<(&'static str, Severity)>,
}

fn shown(c: &ClaimRow, sts: &str) -> Shown {
    let place = match () {
        _ if c.in_range => "",
        _ if c.flags.iter().any(|f| f.kind == "autoscaler-reserved") => "reserved",
        _ if c.flags.iter().any(|f| f.kind == "foreign") => "foreign",
        _ => "orphan",
    };
    let own = pod_name(sts, c.ordinal);
    Shown {
        template: c.template.clone(),
        place,
        status: c.status,
        size: size(c),
        class: c.storage_class.clone(),
        access: access_modes(&c.access_modes),
        reclaim: c.reclaim_policy.clone(),
        mounted: match c.mounted_by.as_slice() {
            [] => "-".into(),
            [one] if *one == own => "own pod".into(),
            many => many.join(","),
        },
        pinned: c
            .pinned_node
            .as_ref()
            .map(|h| if h.suspect_lost { format!("{} (looks lost)", h.state) } else { h.state.clone() }),
        flags: c.flags.iter().map(|f| (f.kind, f.severity)).collect(),
    }
}

pub fn table(report: &ClaimsReport, style: Style) -> String {
    let s = &report.statefulset;
    let mut out = super::claims::header(report);
    let mut templates: Vec<&str> = Vec::new();
    for c in &report.claims {
        if !templates.contains(&c.template.as_str()) {
            templates.push(&c.template);
        }
    }
    let mut lines = Vec::new();
    for t in &templates {
        let rows: Vec<&ClaimRow> = report.claims.iter().filter(|c| c.template == *t).collect();
        let mut next = 0;
        for (ordinals, shown) in groups(rows.iter().map(|c| (c.ordinal, shown(c, &s.name)))) {
            let members = &rows[next..next + ordinals.len()];
            next += ordinals.len();
            lines.push(line(&ordinals, &shown, members, style));
        }
    }
    let ordinals: std::collections::BTreeSet<i32> = report.claims.iter().map(|c| c.ordinal).collect();
    out.push_str(&format!(
        "{} claims of {} ordinals in {}: {} (--wide for one row each)\n",
        report.claims.len(),
        ordinals.len(),
        super::compact::lines(lines.len()),
        counts(&report.claims)
    ));
    out.push_str(&render(
        &[
            "ordinals",
            "template",
            "claims",
            "status",
            "size",
            "class",
            "access",
            "reclaim",
            "pinned to",
            "mounted by",
            "flags",
        ],
        lines,
    ));
    out.push_str(&flag_lines(report, style));
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// "120 Bound, 3 Pending": the claims by status, most first.
fn counts(claims: &[ClaimRow]) -> String {
    let mut counts: Vec<(ClaimStatus, usize)> = Vec::new();
    for c in claims {
        match counts.iter_mut().find(|(s, _)| *s == c.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((c.status, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.iter().map(|(s, n)| format!("{n} {s:?}")).collect::<Vec<_>>().join(", ")
}

fn line(ordinals: &[i32], s: &Shown, members: &[&ClaimRow], style: Style) -> Vec<String> {
    let status = format!("{:?}", s.status);
    let status = match s.status {
        ClaimStatus::Bound => status,
        ClaimStatus::Missing | ClaimStatus::Lost => style.red(&status),
        _ => style.yellow(&status),
    };
    let range = ranges(ordinals);
    let pinned = s.pinned.as_ref().map(|state| {
        let nodes = nodes(members.iter().filter_map(|c| c.pinned_node.as_ref().map(|h| h.node.as_str())));
        format!("{nodes} ({state})")
    });
    let pinned = pinned.or_else(|| members.iter().any(|c| !c.node_affinity.is_empty()).then(|| "node affinity".into()));
    let mut kinds: Vec<&str> = s.flags.iter().map(|(k, _)| *k).collect();
    kinds.dedup();
    vec![
        if s.place.is_empty() { range } else { format!("{range} ({})", s.place) },
        s.template.clone(),
        ordinals.len().to_string(),
        status,
        s.size.clone(),
        or_dash(s.class.as_ref()),
        s.access.clone(),
        or_dash(s.reclaim.as_ref()),
        or_dash(pinned),
        s.mounted.clone(),
        if kinds.is_empty() { "-".into() } else { kinds.join(",") },
    ]
}

/// A flag's kind, severity and message.
type FlagKey<'a> = (&'a str, Severity, &'a str);

/// The flags: the same message of many claims once, naming them; at most [`FLAGS_PER_KIND`] lines
/// of each kind, then how many more and which.
fn flag_lines(report: &ClaimsReport, style: Style) -> String {
    // (kind, severity, message) → claims, in order of first appearance.
    let mut alike: Vec<(FlagKey, Vec<&ClaimRow>)> = Vec::new();
    for c in &report.claims {
        for f in &c.flags {
            let key = (f.kind, f.severity, f.message.as_str());
            match alike.iter_mut().find(|(k, _)| *k == key) {
                Some((_, claims)) => claims.push(c),
                None => alike.push((key, vec![c])),
            }
        }
    }
    if alike.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n");
    let mut shown: Vec<(&str, usize)> = Vec::new();
    let mut more: Vec<(&str, Vec<&ClaimRow>)> = Vec::new();
    for ((kind, severity, message), claims) in &alike {
        let n = match shown.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => n,
            None => {
                shown.push((kind, 0));
                &mut shown.last_mut().expect("just pushed").1
            }
        };
        if *n >= FLAGS_PER_KIND {
            match more.iter_mut().find(|(k, _)| k == kind) {
                Some((_, rest)) => rest.extend(claims),
                None => more.push((kind, claims.clone())),
            }
            continue;
        }
        *n += 1;
        let label = match severity {
            Severity::Error => style.red("error"),
            Severity::Warning => style.yellow("warning"),
            Severity::Info => "info".to_string(),
        };
        let who = match claims.as_slice() {
            [one] => one.claim.clone(),
            many => format!("{} claims ({})", many.len(), names(many)),
        };
        out.push_str(&format!("{}: {label}: {message}\n", style.bold(&who)));
    }
    for (kind, rest) in more {
        out.push_str(&format!(
            "… and {} more claims flagged {kind} ({}): --wide lists each\n",
            rest.len(),
            names(&rest)
        ));
    }
    out
}

/// Claims named by template and ordinals: `data-web-3–5, 9`.
fn names(claims: &[&ClaimRow]) -> String {
    let mut by_template: Vec<(&str, Vec<i32>)> = Vec::new();
    for c in claims {
        match by_template.iter_mut().find(|(t, _)| *t == c.template) {
            Some((_, ordinals)) => ordinals.push(c.ordinal),
            None => by_template.push((&c.template, vec![c.ordinal])),
        }
    }
    let prefix = |c: &ClaimRow| c.claim.strip_suffix(&c.ordinal.to_string()).unwrap_or(&c.claim).to_string();
    by_template
        .iter()
        .map(|(t, ordinals)| {
            let first = claims.iter().find(|c| c.template == *t).expect("a claim of the template");
            format!("{}{}", prefix(first), ranges(ordinals))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[path = "claims_compact_tests.rs"]
mod tests;
