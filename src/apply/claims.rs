//! Mutations on claims (see the module docs of `apply`): deleting planned claims, optionally
//! switching their PVs to Retain first so the data survives.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::api::{Api, Patch};
use serde_json::json;

use super::{delete_params, patch_params};
use crate::cluster::{ApiError, Cluster, Op};
use crate::reclaim::{Candidate, ClaimOutcome, ClaimResult, DataFate};

#[derive(Debug, Clone, Copy, Default)]
pub struct ReclaimOptions {
    /// Switch each claim's PV to reclaimPolicy Retain before deleting the claim.
    pub keep_volume: bool,
    /// Server-side dry run for every request.
    pub dry_run: bool,
}

/// Deletes each planned claim in turn; a failure (404, 409, anything) is reported and the rest continue.
pub async fn reclaim(cluster: &Cluster, candidates: &[Candidate], options: ReclaimOptions) -> Vec<ClaimResult> {
    let mut results = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        results.push(reclaim_one(cluster, candidate, options).await);
    }
    results
}

async fn reclaim_one(cluster: &Cluster, c: &Candidate, options: ReclaimOptions) -> ClaimResult {
    let result = |outcome, retained_volume: Option<String>, message: String| ClaimResult {
        namespace: c.namespace.clone(),
        claim: c.claim.clone(),
        outcome,
        volume_switched: retained_volume.is_some() && !options.dry_run && c.reclaim_policy.as_deref() != Some("Retain"),
        retained_volume,
        message,
    };
    let mut retained = None;
    if options.keep_volume {
        match retain_volume(cluster, c, options.dry_run).await {
            Ok(volume) => retained = volume,
            Err(e) => {
                let outcome = if e.is_conflict() { ClaimOutcome::Conflict } else { ClaimOutcome::Failed };
                let volume = c.volume.as_deref().unwrap_or_default();
                return result(
                    outcome,
                    None,
                    format!("PV {volume} not switched to Retain, so the claim was not deleted: {e}"),
                );
            }
        }
    }
    let api: Api<PersistentVolumeClaim> = Api::namespaced(cluster.client.clone(), &c.namespace);
    let op = Op::of::<PersistentVolumeClaim>("delete").ns(c.namespace.clone()).name(c.claim.clone());
    let params = delete_params(&c.uid, Some(&c.resource_version), None, options.dry_run);
    // The claim stays (or was gone already): say what this run did to its PV.
    let kept = |text: String| match (&retained, c.reclaim_policy.as_deref()) {
        (Some(_), _) if options.dry_run => text,
        (Some(volume), Some(before)) if before != "Retain" => {
            format!("{text}; PV {volume} was switched from reclaimPolicy {before} to Retain first, and stays so")
        }
        (Some(volume), _) => format!("{text}; PV {volume} has reclaimPolicy Retain"),
        (None, _) => text,
    };
    match cluster.call(op, api.delete(&c.claim, &params)).await {
        Ok(_) if options.dry_run => result(
            ClaimOutcome::WouldDelete,
            retained.clone(),
            match &retained {
                Some(volume) => format!(
                    "server-side dry run accepted the delete; PV {volume} would keep the data with reclaimPolicy \
                     Retain; nothing changed"
                ),
                None => "server-side dry run accepted the delete; nothing changed".into(),
            },
        ),
        Ok(_) => result(ClaimOutcome::Deleted, retained.clone(), after_delete(c, retained.as_deref())),
        Err(e) if e.is_not_found() => result(
            ClaimOutcome::AlreadyGone,
            retained.clone(),
            kept("deleted earlier (by a previous run or someone else)".into()),
        ),
        Err(e) if e.is_conflict() => result(
            ClaimOutcome::Conflict,
            retained.clone(),
            kept(format!("changed since the plan, not deleted (re-run to plan again): {e}")),
        ),
        Err(e) if e.rejected() => result(ClaimOutcome::Failed, retained.clone(), kept(e.to_string())),
        Err(e) => result(
            ClaimOutcome::Unknown,
            retained.clone(),
            kept(format!("{e}; the delete may have been carried out: re-run to see whether the claim is gone")),
        ),
    }
}

/// Switches the claim's PV to Retain (unless it already is, or is not this claim's). Returns the
/// PV that now keeps the data.
async fn retain_volume(cluster: &Cluster, c: &Candidate, dry_run: bool) -> Result<Option<String>, ApiError> {
    let Some(volume) = c.volume.as_deref() else { return Ok(None) };
    if matches!(c.data_fate, DataFate::NoVolume | DataFate::Unaffected) {
        return Ok(None);
    }
    // Sent even when the policy already is Retain: with the resourceVersion, the server refuses
    // (409) if the PV changed since the plan (e.g. someone switched it to Delete).
    let mut patch = json!({ "spec": { "persistentVolumeReclaimPolicy": "Retain" } });
    if let Some(rv) = &c.volume_resource_version {
        patch["metadata"] = json!({ "resourceVersion": rv });
    }
    let api: Api<PersistentVolume> = Api::all(cluster.client.clone());
    let op = Op::of::<PersistentVolume>("patch").name(volume.to_string());
    cluster.call(op, api.patch(volume, &patch_params(dry_run), &Patch::Merge(&patch))).await?;
    Ok(Some(volume.to_string()))
}

fn after_delete(c: &Candidate, retained: Option<&str>) -> String {
    let volume = c.volume.as_deref().unwrap_or_default();
    match (retained, c.data_fate) {
        (Some(volume), _) => format!(
            "PV {volume} has reclaimPolicy Retain: it stays, Released, with the data (clear its spec.claimRef \
             to bind it again)"
        ),
        (None, DataFate::Destroyed) => format!(
            "PV {volume} has reclaimPolicy {}: Kubernetes deletes the volume and its data",
            c.reclaim_policy.as_deref().unwrap_or("Delete")
        ),
        (None, DataFate::Kept) => format!("PV {volume} has reclaimPolicy Retain: it stays, Released, with the data"),
        (None, DataFate::NoVolume) => "no volume was bound".into(),
        (None, DataFate::Unaffected) => format!("PV {volume} belongs to another claim and is not affected"),
        (None, DataFate::Unknown) => {
            format!("what happens to PV {volume} depends on its reclaim policy, which could not be read")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reclaim::Confidence;
    use crate::testing::mock_api::{self, failure, respond};

    fn candidate() -> Candidate {
        Candidate {
            namespace: "shop".into(),
            claim: "data-web-2".into(),
            uid: "u2".into(),
            resource_version: "7".into(),
            statefulset: Some("web".into()),
            template: Some("data".into()),
            ordinal: 2,
            size: Some("1Gi".into()),
            phase: "Bound".into(),
            volume: Some("pv-2".into()),
            volume_phase: Some("Bound".into()),
            volume_resource_version: Some("3".into()),
            reclaim_policy: Some("Delete".into()),
            data_fate: DataFate::Destroyed,
            reclaim: "Delete: data destroyed".into(),
            created: None,
            age: None,
            last_pod: None,
            last_pod_basis: String::new(),
            confidence: Confidence::High,
            evidence: String::new(),
        }
    }

    /// The outcome of deleting one claim when the API server answers the DELETE with `code`.
    async fn outcome_of(code: u16) -> ClaimResult {
        let (cluster, mut handle) = mock_api::cluster();
        tokio::spawn(async move {
            let (request, send) = handle.next_request().await.expect("a DELETE");
            assert_eq!(request.method(), http::Method::DELETE);
            send.send_response(respond(code, failure(code, "Whatever", "etcdserver: request timed out")));
        });
        let mut results = reclaim(&cluster, &[candidate()], ReclaimOptions::default()).await;
        results.remove(0)
    }

    #[tokio::test]
    async fn a_server_error_on_the_delete_is_an_unknown_outcome_not_a_failure() {
        // A 500 from an etcd timeout may still have committed the delete.
        let r = outcome_of(500).await;
        assert_eq!(r.outcome, ClaimOutcome::Unknown);
        assert!(r.message.ends_with("the delete may have been carried out: re-run to see whether the claim is gone"));
        // A 4xx the server turned down changed nothing.
        assert_eq!(outcome_of(422).await.outcome, ClaimOutcome::Failed);
    }
}
