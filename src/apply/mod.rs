//! Mutations. The only code that changes the cluster; every function here:
//! - takes preconditions (UID, and resourceVersion where the decision depended on the object's
//!   state) so a replaced or changed object is never touched;
//! - honours server-side dry run (`dry_run`), which validates without persisting;
//! - goes through [`Cluster::call`] so failures are one classified line (404/409 matchable).

pub mod claims;
pub mod nodes;
pub mod pods;
pub mod statefulsets;

use kube::api::{DeleteParams, PatchParams, Preconditions};

/// Field manager recorded in managedFields for our patches.
pub const FIELD_MANAGER: &str = "kubectl-sts-doctor";

/// Delete options with UID (and optionally resourceVersion) preconditions.
pub fn delete_params(
    uid: &str,
    resource_version: Option<&str>,
    grace_seconds: Option<u32>,
    dry_run: bool,
) -> DeleteParams {
    DeleteParams {
        dry_run,
        grace_period_seconds: grace_seconds,
        preconditions: Some(Preconditions {
            uid: Some(uid.to_string()),
            resource_version: resource_version.map(String::from),
        }),
        ..DeleteParams::default()
    }
}

/// Patch options for our field manager, optionally a server-side dry run.
pub fn patch_params(dry_run: bool) -> PatchParams {
    let mut params = PatchParams { field_manager: Some(FIELD_MANAGER.into()), ..PatchParams::default() };
    params.dry_run = dry_run;
    params
}
