//! Table form of the `claims` report.

use jiff::Timestamp;

use super::compact::View;
use super::style::Style;
use super::table::{or_dash, render};
use crate::claims::{ClaimRow, ClaimStatus, ClaimsReport};
use crate::duration::age;
use crate::severity::Severity;

/// The table `view` asks for: compact for a big StatefulSet, otherwise one row per claim.
pub fn view(report: &ClaimsReport, now: Timestamp, style: Style, view: View) -> String {
    if view.compact { super::claims_compact::table(report, style) } else { table(report, now, style) }
}

/// One row per claim.
pub fn table(report: &ClaimsReport, now: Timestamp, style: Style) -> String {
    let mut out = header(report);
    let rows = report.claims.iter().map(|c| row(c, now, style)).collect();
    out.push_str(&render(
        &[
            "ordinal",
            "template",
            "claim",
            "status",
            "volume",
            "size",
            "class",
            "access",
            "reclaim",
            "affinity",
            "mounted by",
            "age",
        ],
        rows,
    ));
    let flagged: Vec<&ClaimRow> = report.claims.iter().filter(|c| !c.flags.is_empty()).collect();
    if !flagged.is_empty() {
        out.push('\n');
        for c in flagged {
            for f in &c.flags {
                let label = match f.severity {
                    Severity::Error => style.red("error"),
                    Severity::Warning => style.yellow("warning"),
                    Severity::Info => "info".to_string(),
                };
                out.push_str(&format!("{}: {label}: {}\n", style.bold(&c.claim), f.message));
            }
        }
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// The StatefulSet's templates and claim retention, and a blank line.
pub(super) fn header(report: &ClaimsReport) -> String {
    let s = &report.statefulset;
    let templates: Vec<String> = s
        .templates
        .iter()
        .map(|t| {
            format!(
                "{} ({}, {}, {})",
                t.name,
                or_dash(t.storage.as_ref()),
                match t.storage_class.as_deref() {
                    None => "default class",
                    Some("") => "no class",
                    Some(class) => class,
                },
                access_modes(&t.access_modes)
            )
        })
        .collect();
    let mut out = format!(
        "statefulset {}/{}: ordinals [{}, {}); templates: {}\n",
        s.namespace,
        s.name,
        s.ordinals_start,
        s.ordinals_end,
        if templates.is_empty() { "none".into() } else { templates.join(", ") }
    );
    out.push_str(&format!(
        "claim retention: whenDeleted={} whenScaled={}{}\n\n",
        s.retention.when_deleted,
        s.retention.when_scaled,
        if s.retention_field_present { "" } else { " (server default)" }
    ));
    out
}

/// RWO, ROX, RWX, RWOP as kubectl abbreviates them.
pub fn access_modes(modes: &[String]) -> String {
    let short: Vec<&str> = modes
        .iter()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    if short.is_empty() { "-".into() } else { short.join(",") }
}

/// "1Gi" when request, capacity and template agree; otherwise each that is known.
pub(super) fn size(c: &ClaimRow) -> String {
    let parts = [("req", &c.requested), ("cap", &c.capacity), ("tpl", &c.template_size)];
    let known: Vec<(&str, &String)> = parts.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))).collect();
    let same =
        known.windows(2).all(|w| crate::model::quantity::compare(w[0].1, w[1].1) == Some(std::cmp::Ordering::Equal));
    match known.first() {
        None => "-".into(),
        Some((_, v)) if same && c.capacity.is_some() => v.to_string(),
        _ => known.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join("/"),
    }
}

fn row(c: &ClaimRow, now: Timestamp, style: Style) -> Vec<String> {
    let status = format!("{:?}", c.status);
    let status = match c.status {
        ClaimStatus::Bound => status,
        ClaimStatus::Missing | ClaimStatus::Lost => style.red(&status),
        _ => style.yellow(&status),
    };
    let ordinal = match () {
        _ if c.in_range => c.ordinal.to_string(),
        _ if c.flags.iter().any(|f| f.kind == "autoscaler-reserved") => format!("{} (reserved)", c.ordinal),
        _ if c.flags.iter().any(|f| f.kind == "deleted-with-pod") => format!("{} (deleting)", c.ordinal),
        // Named like ours but owned by something else: not ours to call an orphan.
        _ if c.flags.iter().any(|f| f.kind == "foreign") => format!("{} (foreign)", c.ordinal),
        _ => format!("{} (orphan)", c.ordinal),
    };
    let affinity = c
        .pinned_node
        .as_ref()
        .map(|h| format!("{} ({})", h.node, h.summary(now)))
        .or_else(|| (!c.node_affinity.is_empty()).then(|| c.node_affinity.join("; ")));
    vec![
        ordinal,
        c.template.clone(),
        c.claim.clone(),
        status,
        or_dash(c.volume.as_ref()),
        size(c),
        or_dash(c.storage_class.as_ref()),
        access_modes(&c.access_modes),
        or_dash(c.reclaim_policy.as_ref()),
        or_dash(affinity),
        if c.mounted_by.is_empty() { "-".into() } else { c.mounted_by.join(",") },
        or_dash(c.created.map(|t| age(t, now))),
    ]
}
