//! Where a force-deleted pod's replacement can run: its StatefulSet's template (GET) and the node
//! affinity of its claims' PVs (GETs). Both are optional: without permission, the plan says it
//! could not tell.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use kube::api::Api;

use super::{ApiError, Cluster, Op, optional};
use crate::force_delete::{Placement, PodVolume, Requirement};
use crate::model::{self, Part};

impl Cluster {
    /// None when no StatefulSet owns the pod (nothing recreates it), or the StatefulSet is gone.
    pub(super) async fn placement(
        &self,
        pod: &model::Pod,
        volumes: &Part<Vec<PodVolume>>,
    ) -> Result<Part<Placement>, ApiError> {
        let Some(owner) = pod.controller.as_ref().filter(|o| o.kind == "StatefulSet") else {
            return Ok(Ok(Placement::default()));
        };
        let api: Api<apps::StatefulSet> = Api::namespaced(self.client.clone(), &pod.namespace);
        let op = Op::of::<apps::StatefulSet>("get").ns(pod.namespace.clone()).name(owner.name.clone());
        let sts = match optional(self.get_opt(&api, &owner.name, op).await)? {
            Ok(sts) => sts,
            Err(reason) => return Ok(Err(reason)),
        };
        let mut placement = template_placement(sts.as_ref().and_then(|s| s.spec.as_ref()?.template.spec.as_ref()));
        let pvs: Vec<String> = volumes.iter().flatten().filter_map(|v| v.volume.clone()).collect();
        let api: Api<core::PersistentVolume> = Api::all(self.client.clone());
        for pv in pvs {
            let op = Op::of::<core::PersistentVolume>("get").name(pv.clone());
            match optional(self.get_opt(&api, &pv, op).await)? {
                Ok(Some(found)) => placement.volumes.push((pv, model::Volume::from(&found).pinned_nodes)),
                Ok(None) => {}
                Err(reason) => return Ok(Err(reason)),
            }
        }
        Ok(Ok(placement))
    }
}

fn template_placement(spec: Option<&core::PodSpec>) -> Placement {
    let Some(spec) = spec else { return Placement::default() };
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref());
    let requirement = |r: &core::NodeSelectorRequirement| Requirement {
        key: r.key.clone(),
        operator: r.operator.clone(),
        values: r.values.clone().unwrap_or_default(),
    };
    let required_terms = required
        .map(|r| {
            r.node_selector_terms
                .iter()
                .map(|t| {
                    let expressions = t.match_expressions.iter().flatten().map(requirement);
                    expressions.chain(t.match_fields.iter().flatten().map(requirement)).collect()
                })
                .collect()
        })
        .unwrap_or_default();
    Placement {
        node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
        node_selector: spec.node_selector.clone().unwrap_or_default(),
        required_terms,
        volumes: vec![],
    }
}
