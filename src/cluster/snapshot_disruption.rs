//! PodDisruptionBudgets: policy/v1 (1.21+), else policy/v1beta1 (the only version 1.20 serves,
//! which k8s-openapi has no type for: read as a `DynamicObject`), both as one plain type.

use std::collections::BTreeSet;

use k8s_openapi::api::policy::v1 as policy;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::GroupVersionKind;

use super::Scope;
use crate::cluster::{ApiError, Cluster, Op, optional};
use crate::model::{DisruptionBudget, Part};

impl Cluster {
    /// The PodDisruptionBudgets in scope (a namespace, or all). Not readable (403): unknown, with
    /// the reason; served in neither version (404): unknown too.
    pub(super) async fn disruption_budgets(
        &self,
        scope: &Scope,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Part<Vec<DisruptionBudget>>, ApiError> {
        let ns = match scope {
            Scope::StatefulSet { namespace, .. } | Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::AllNamespaces => None,
        };
        let v1 = self.list_into::<policy::PodDisruptionBudget, DisruptionBudget>(ns, ListParams::default(), only).await;
        match v1 {
            Err(e) if e.is_not_found() => {}
            other => return optional(other),
        }
        match self.disruption_budgets_v1beta1(ns, only).await {
            Err(e) if e.is_not_found() => Ok(Err(format!(
                "{e}: the API server serves PodDisruptionBudgets neither as policy/v1 nor as policy/v1beta1"
            ))),
            other => optional(other),
        }
    }

    async fn disruption_budgets_v1beta1(
        &self,
        namespace: Option<&str>,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Vec<DisruptionBudget>, ApiError> {
        let resource = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("policy", "v1beta1", "PodDisruptionBudget"),
            "poddisruptionbudgets",
        );
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        };
        let op = Op::new("list", "policy", "poddisruptionbudgets").ns(namespace.map(String::from));
        let mut out = Vec::new();
        let mut bad = None;
        self.list_each(&api, ListParams::default(), op.clone(), |obj: DynamicObject| {
            if only.is_some_and(|only| obj.metadata.namespace.as_ref().is_none_or(|ns| !only.contains(ns))) {
                return;
            }
            match serde_json::to_value(&obj).and_then(DisruptionBudget::from_v1beta1) {
                Ok(budget) => out.push(budget),
                Err(e) => bad = Some(e),
            }
        })
        .await?;
        if let Some(e) = bad {
            return Err(ApiError::Other {
                op: Box::new(op),
                code: 0,
                message: format!("cannot decode a policy/v1beta1 PodDisruptionBudget: {e}"),
            });
        }
        Ok(out)
    }
}
