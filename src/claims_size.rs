//! Claim sizes: requested vs template vs capacity, and the state of a resize.

use crate::model::quantity::Quantity;
use crate::model::{Claim, ClaimTemplate};
use crate::severity::Severity;

/// Requested vs template vs capacity.
pub(super) fn size_flags(
    template: &ClaimTemplate,
    claim: &Claim,
    flag: &mut impl FnMut(&'static str, Severity, String),
) {
    let parse = |q: &Option<String>| q.as_deref().and_then(Quantity::parse);
    let (want, req, cap) = (parse(&template.storage), parse(&claim.requested), parse(&claim.capacity));
    if let (Some(want), Some(req)) = (&want, &req) {
        if req > want {
            flag(
                "size-drift",
                Severity::Warning,
                format!(
                    "expanded to {} beyond the template's {}: claims for new ordinals get {} (expand them too, or \
                     recreate the StatefulSet with a bigger template, orphaning pods)",
                    claim.requested.as_deref().unwrap_or_default(),
                    template.storage.as_deref().unwrap_or_default(),
                    template.storage.as_deref().unwrap_or_default()
                ),
            );
        } else if req < want {
            flag(
                "size-drift",
                Severity::Warning,
                format!(
                    "requests {} but the template now asks for {}: existing claims are not resized by the controller",
                    claim.requested.as_deref().unwrap_or_default(),
                    template.storage.as_deref().unwrap_or_default()
                ),
            );
        }
    }
    if let (Some(req), Some(cap)) = (&req, &cap) {
        let infeasible = claim.resize_status.as_deref().filter(|s| s.ends_with("Infeasible"));
        if let (true, Some(status)) = (cap < req, infeasible) {
            flag(
                "resize-failed",
                Severity::Warning,
                format!(
                    "resize failed ({status}): capacity stays {} below the requested {}; the request can be lowered \
                     back to a size that works",
                    claim.capacity.as_deref().unwrap_or_default(),
                    claim.requested.as_deref().unwrap_or_default()
                ),
            );
        } else if cap < req {
            let states: Vec<&str> =
                claim.resize_conditions.iter().map(String::as_str).chain(claim.resize_status.as_deref()).collect();
            let conditions = if states.is_empty() { String::new() } else { format!(" ({})", states.join(", ")) };
            flag(
                "resize-pending",
                Severity::Warning,
                format!(
                    "resize pending: capacity {} is below the requested {}{conditions}",
                    claim.capacity.as_deref().unwrap_or_default(),
                    claim.requested.as_deref().unwrap_or_default()
                ),
            );
        }
    }
}
