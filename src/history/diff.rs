//! `rollout diff`: a unified diff of two pod templates, as YAML (sorted keys, so that the same
//! template always reads the same), by `similar`.

use serde::Serialize;
use serde_json::Value;
use similar::TextDiff;

use super::{RevRef, Target, churn};
use crate::model::history::RevisionHistory;

/// One side of a diff: a revision, or the StatefulSet's live spec.template.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// What the diff headers say: `web-5f8cd8b77d (2)`, `spec.template (live)`.
    pub label: String,
    /// None for the live template.
    pub revision: Option<RevRef>,
    pub live: bool,
    #[serde(skip)]
    pub template: Value,
}

/// Which template a `--from/--to REV` names: a revision number, a ControllerRevision name (or
/// its hash), or `live`.
pub fn side(h: &RevisionHistory, rev: &str) -> Result<Side, String> {
    if rev == "live" {
        return Ok(Side {
            label: "spec.template (live)".into(),
            revision: None,
            live: true,
            template: h.live_template.clone(),
        });
    }
    let hashed = format!("{}-{rev}", h.sts.name);
    let found = match rev.parse::<i64>() {
        Ok(n) => h.by_number(n),
        Err(_) => h.by_name(rev).or_else(|| h.by_name(&hashed)),
    };
    let Some(r) = found else {
        let known: Vec<String> = h.revisions.iter().map(|r| r.revision.revision.to_string()).collect();
        return Err(format!(
            "revision {rev} not found in the history of {}: it has {} (or use `live`)",
            h.sts.name,
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        ));
    };
    let Some(template) = &r.template else {
        return Err(format!("revision {} ({}) holds no pod template", r.revision.revision, r.revision.name));
    };
    let revision = RevRef::of(r);
    Ok(Side { label: revision.to_string(), revision: Some(revision), live: false, template: template.clone() })
}

/// The default sides: the current revision against the update revision.
pub fn default_side(h: &RevisionHistory, current: bool) -> Result<Side, String> {
    let (name, which) =
        if current { (&h.sts.status.current_revision, "current") } else { (&h.sts.status.update_revision, "update") };
    match name {
        Some(name) => side(h, name),
        None => Err(format!("{} has no {which} revision recorded yet: pass --from and --to", h.sts.name)),
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffReport {
    pub statefulset: Target,
    pub from: Side,
    pub to: Side,
    pub identical: bool,
    /// The templates differ only by fields the API server fills in (kubernetes#134773).
    pub defaults_only: bool,
    /// The unified diff (`---`/`+++` headers, 3 lines of context); empty when identical.
    pub diff: String,
}

pub fn diff(h: &RevisionHistory, from: Side, to: Side) -> DiffReport {
    let text = unified(&from.label, &from.template, &to.label, &to.template);
    DiffReport {
        statefulset: Target::of(h),
        identical: from.template == to.template,
        defaults_only: churn::defaults_only(&from.template, &to.template),
        diff: text,
        from,
        to,
    }
}

/// The template as YAML, keys sorted (serde_json's maps are ordered).
pub fn yaml(template: &Value) -> String {
    serde_saphyr::to_string(template).unwrap_or_else(|e| format!("# cannot render as YAML: {e}\n"))
}

/// A unified diff of the two templates' YAML; empty when they are the same.
pub fn unified(from_label: &str, from: &Value, to_label: &str, to: &Value) -> String {
    let (a, b) = (yaml(from), yaml(to));
    if a == b {
        return String::new();
    }
    TextDiff::from_lines(&a, &b).unified_diff().context_radius(3).header(from_label, to_label).to_string()
}
