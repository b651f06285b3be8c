//! `rollout history|diff|undo`: a StatefulSet's ControllerRevisions, the pod templates they hold
//! and which ordinals run each, a diff of two templates, and the plan of restoring one.
//!
//! The StatefulSet controller keeps one ControllerRevision per distinct template (named
//! `<sts>-<hash>`, the hash pods carry in `controller-revision-hash`); going back to a template it
//! has seen re-uses that revision with a new, higher number. Everything here is pure: it takes a
//! [`RevisionHistory`] and a clock.

pub mod churn;
pub mod diff;
pub mod undo;

#[cfg(test)]
mod tests;

use jiff::Timestamp;
use serde::Serialize;

use crate::fold::ranges;
use crate::model::history::{RevisionHistory, RevisionTemplate};
use crate::model::names::pod_ordinal;

/// A revision named by number and ControllerRevision name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevRef {
    pub number: i64,
    pub name: String,
}

impl RevRef {
    pub fn of(r: &RevisionTemplate) -> RevRef {
        RevRef { number: r.revision.revision, name: r.revision.name.clone() }
    }
}

impl std::fmt::Display for RevRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.number)
    }
}

/// The StatefulSet as the revision commands report it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub generation: i64,
    pub observed_generation: Option<i64>,
    pub update_strategy: String,
    pub pod_management_policy: String,
    pub current_revision: Option<RevRef>,
    pub update_revision: Option<RevRef>,
}

impl Target {
    pub fn of(h: &RevisionHistory) -> Target {
        let s = &h.sts;
        let find = |name: &Option<String>| {
            name.as_deref().map(|n| h.by_name(n).map(RevRef::of).unwrap_or(RevRef { number: 0, name: n.to_string() }))
        };
        Target {
            namespace: s.namespace.clone(),
            name: s.name.clone(),
            uid: s.uid.clone(),
            resource_version: s.resource_version.clone(),
            generation: s.generation,
            observed_generation: s.status.observed_generation,
            update_strategy: s.update_strategy.clone(),
            pod_management_policy: s.pod_management_policy.clone(),
            current_revision: find(&s.status.current_revision),
            update_revision: find(&s.status.update_revision),
        }
    }
}

/// One ControllerRevision in `rollout history`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionRow {
    pub number: i64,
    pub name: String,
    pub created: Option<Timestamp>,
    pub change_cause: Option<String>,
    /// status.currentRevision.
    pub current: bool,
    /// status.updateRevision.
    pub update: bool,
    /// Its template is the StatefulSet's spec.template now.
    pub live: bool,
    /// The ordinals whose pods run it now, and those pods.
    pub ordinals: Vec<i32>,
    pub pods: Vec<String>,
    /// Its template differs from the one of this (the next lower) revision only by server-filled
    /// defaults: revision churn (kubernetes#134773).
    pub defaults_only_since: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryReport {
    pub statefulset: Target,
    /// The verdict line.
    pub summary: String,
    /// Oldest first.
    pub revisions: Vec<RevisionRow>,
    pub notes: Vec<String>,
}

/// Pairs of (a revision, the next lower one) whose templates are the same once read (they
/// differed in how the server stored them: `creationTimestamp: null`) or differ only by defaults.
pub fn churn(h: &RevisionHistory) -> Vec<(RevRef, RevRef)> {
    h.revisions
        .windows(2)
        .filter(|w| w[0].revision.name != w[1].revision.name)
        .filter_map(|w| match (&w[0].template, &w[1].template) {
            (Some(a), Some(b)) if a == b || churn::defaults_only(a, b) => Some((RevRef::of(&w[1]), RevRef::of(&w[0]))),
            _ => None,
        })
        .collect()
}

pub fn history(h: &RevisionHistory) -> HistoryReport {
    let target = Target::of(h);
    let churned = churn(h);
    let mut notes = Vec::new();
    let owned: Vec<_> = h
        .pods
        .iter()
        .filter(|p| h.sts.owns_pod(p))
        .filter_map(|p| Some((pod_ordinal(&h.sts.name, &p.name)?, p)))
        .collect();
    let rows: Vec<RevisionRow> = h
        .revisions
        .iter()
        .map(|r| {
            let name = &r.revision.name;
            let mut on: Vec<_> = owned.iter().filter(|(_, p)| p.revision() == Some(name.as_str())).collect();
            on.sort_by_key(|(o, _)| *o);
            RevisionRow {
                number: r.revision.revision,
                name: name.clone(),
                created: r.revision.created,
                change_cause: r.change_cause.clone(),
                current: h.sts.status.current_revision.as_deref() == Some(name),
                update: h.sts.status.update_revision.as_deref() == Some(name),
                live: r.template.as_ref() == Some(&h.live_template),
                ordinals: on.iter().map(|(o, _)| *o).collect(),
                pods: on.iter().map(|(_, p)| p.name.clone()).collect(),
                defaults_only_since: churned.iter().find(|(new, _)| &new.name == name).map(|(_, old)| old.number),
            }
        })
        .collect();
    let mut unknown: Vec<_> =
        owned.iter().filter(|(_, p)| p.revision().is_none_or(|rev| h.by_name(rev).is_none())).collect();
    unknown.sort_by_key(|(o, _)| *o);
    for (_, p) in unknown {
        notes.push(match p.revision() {
            Some(rev) => format!("{} runs revision {rev}, which is not in the history (deleted)", p.name),
            None => format!("{} has no controller-revision-hash label", p.name),
        });
    }
    for (new, old) in &churned {
        notes.push(format!(
            "revision {} differs from {} only by fields the API server fills in (defaults, \
             creationTimestamp: null): a control-plane upgrade, not a change of yours, made it; its pods run \
             the same ({})",
            new.number,
            old.number,
            churn::CHURN_ISSUE
        ));
    }
    if !h.sts.spec_observed() {
        notes.push(format!(
            "the controller has not observed generation {} yet: the update revision may still change",
            h.sts.generation
        ));
    }
    HistoryReport { summary: summary(&target, &rows), statefulset: target, revisions: rows, notes }
}

fn summary(t: &Target, rows: &[RevisionRow]) -> String {
    let head = format!("statefulset {}/{}: {} revision(s)", t.namespace, t.name, rows.len());
    let on = |r: &RevRef| {
        let row = rows.iter().find(|row| row.name == r.name);
        match row.map(|row| row.ordinals.as_slice()) {
            Some([]) | None => "no pod".to_string(),
            Some([o]) => format!("ordinal {o}"),
            Some(os) => format!("ordinals {}", ranges(os)),
        }
    };
    match (&t.current_revision, &t.update_revision) {
        (_, None) | (None, _) if rows.is_empty() => format!("{head}: the controller has not recorded any yet"),
        (Some(c), Some(u)) if c == u => format!("{head}; no rollout in progress: {} on revision {u}", on(u)),
        (Some(c), Some(u)) => {
            format!("{head}; rolling out {c} -> {u}: {} on the update revision, {} on the current one", on(u), on(c))
        }
        (None, Some(u)) => format!("{head}; update revision {u} on {}", on(u)),
        _ => head,
    }
}
