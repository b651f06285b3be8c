//! `rollout undo`: the plan of restoring a revision's pod template, as `kubectl rollout undo`
//! does (the revision's data, a strategic-merge patch replacing `spec.template`), with the
//! StatefulSet's resourceVersion as a precondition, and what the controller does then.

use serde::Serialize;
use serde_json::Value;

use super::{RevRef, Target, diff};
use crate::model::history::RevisionHistory;
use crate::model::names::pod_ordinal;
use crate::rollout::{TRAP_ISSUE, broken_pod_evidence};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoPlan {
    /// The revision of the live template (None when no revision holds it, e.g. not observed yet).
    pub from: Option<RevRef>,
    pub to: RevRef,
    /// The precondition: the patch fails (409) if the StatefulSet changed since.
    pub resource_version: String,
    /// live spec.template -> the restored one.
    pub diff: String,
    /// The pods the controller replaces with the restored revision, in its order.
    pub replaces: Vec<String>,
    /// What happens, in a sentence.
    pub effect: String,
    /// Pods of the abandoned revision that are broken: the undo alone may not replace them.
    pub trapped: Vec<String>,
    pub warnings: Vec<String>,
    /// The patch sent.
    pub patch: Value,
}

/// The plan, or why there is nothing to do (a refusal: exit 3).
pub fn plan(h: &RevisionHistory, to_revision: i64) -> Result<UndoPlan, String> {
    let sts = &h.sts;
    if sts.deleting.is_some() {
        return Err(format!("statefulset {} is being deleted: nothing to undo", sts.name));
    }
    let target = if to_revision == 0 {
        match h.revisions.len() {
            0 | 1 => {
                return Err(format!(
                    "no previous revision to roll back to: {} has {} revision(s)",
                    sts.name,
                    h.revisions.len()
                ));
            }
            n => &h.revisions[n - 2],
        }
    } else {
        h.by_number(to_revision).ok_or_else(|| {
            let known: Vec<String> = h.revisions.iter().map(|r| r.revision.revision.to_string()).collect();
            format!("revision {to_revision} not found in the history of {}: it has {}", sts.name, known.join(", "))
        })?
    };
    let to = RevRef::of(target);
    let (Some(template), Some(data)) = (&target.template, &target.data) else {
        return Err(format!("revision {to} holds no pod template: nothing to restore"));
    };
    if template == &h.live_template {
        return Err(format!("nothing to undo: the template of {} is already revision {to}'s", sts.name));
    }
    let from = h.revisions.iter().rev().find(|r| r.template.as_ref() == Some(&h.live_template)).map(RevRef::of);
    let from_label = from.as_ref().map_or("spec.template (live)".to_string(), |f| f.to_string());
    let mut patch = data.clone();
    if let Value::Object(m) = &mut patch {
        m.insert("metadata".into(), serde_json::json!({ "resourceVersion": sts.resource_version }));
    }
    // Pods the controller replaces: from the partition up (by index), not yet on the target,
    // highest first; none with OnDelete.
    let mut owned: Vec<(i32, &crate::model::Pod)> = h
        .pods
        .iter()
        .filter(|p| sts.owns_pod(p))
        .filter_map(|p| Some((pod_ordinal(&sts.name, &p.name)?, p)))
        .filter(|(o, _)| sts.ordinal_range().contains(o))
        .collect();
    owned.sort_by_key(|(o, _)| std::cmp::Reverse(*o));
    let off_target: Vec<_> = owned.iter().filter(|(_, p)| p.revision() != Some(to.name.as_str())).collect();
    let replaces: Vec<String> = if sts.is_on_delete() {
        vec![]
    } else {
        off_target
            .iter()
            .filter(|(o, _)| o - sts.ordinals_start >= sts.partition)
            .map(|(_, p)| p.name.clone())
            .collect()
    };
    let renumbered = h.revisions.last().map_or(1, |r| r.revision.revision + 1);
    let reuse = format!("the controller re-uses ControllerRevision {} as revision {renumbered}", to.name);
    let effect = if sts.is_on_delete() {
        let names: Vec<&str> = off_target.iter().map(|(_, p)| p.name.as_str()).collect();
        format!(
            "{reuse}; OnDelete: no pod is replaced until it is deleted; not on it yet: {}",
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        )
    } else if replaces.is_empty() {
        format!("{reuse}; no pod is replaced: every pod from the partition up already runs it")
    } else {
        let below: Vec<&str> = off_target
            .iter()
            .filter(|(o, _)| o - sts.ordinals_start < sts.partition)
            .map(|(_, p)| p.name.as_str())
            .collect();
        let stay = if below.is_empty() {
            String::new()
        } else {
            format!("; {} stay(s) below partition {}", below.join(", "), sts.partition)
        };
        format!("{reuse} and replaces {} with it, highest first{stay}", replaces.join(", "))
    };
    let mut trapped = Vec::new();
    let mut warnings = Vec::new();
    if !sts.is_parallel() {
        for (_, p) in &off_target {
            if let Some(evidence) = broken_pod_evidence(p) {
                trapped.push(p.name.clone());
                warnings.push(format!(
                    "{} (revision {}) is broken ({evidence}): with OrderedReady the controller waits for it to get \
                     Ready before it replaces any pod, so the undo alone does not replace it ({TRAP_ISSUE}); --fix \
                     deletes it after the undo (or `kubectl sts-doctor -n {} rollout {} --fix`)",
                    p.name,
                    p.revision().unwrap_or("-"),
                    sts.namespace,
                    sts.name
                ));
            }
        }
    }
    Ok(UndoPlan {
        diff: diff::unified(&from_label, &h.live_template, &to.to_string(), template),
        from,
        to,
        resource_version: sts.resource_version.clone(),
        replaces,
        effect,
        trapped,
        warnings,
        patch,
    })
}

/// What `rollout undo -o json|yaml` prints.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoReport<'a> {
    pub statefulset: Target,
    /// Null when refused before planning.
    pub plan: Option<&'a UndoPlan>,
    pub action: &'a crate::rollout::report::Action,
    /// The rollout status once the undo was made (null when it was not, or not read).
    pub rollout: Option<&'a crate::rollout::RolloutStatus>,
    /// `--fix` after the undo, as in `rollout --fix` (null unless it ran).
    pub fix: Option<&'a crate::rollout::report::FixReport>,
}
