//! Where a force-deleted pod's replacement can run: its StatefulSet's template (GET) and the node
//! affinity of its claims' PVs (GETs). Both are optional: without permission, the plan says it
//! could not tell.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use kube::api::Api;

use super::{ApiError, Cluster, Op, optional};
use crate::force_delete::{Placement, PodVolume};
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
        let mut placement = Placement::of_template(sts.as_ref().and_then(|s| s.spec.as_ref()?.template.spec.as_ref()));
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
