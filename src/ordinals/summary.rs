//! The StatefulSet-level part of the report: replicas, strategy, revisions, governing service, notes.

use super::{Replicas, ServiceCheck, Summary};
use crate::model::names::pod_ordinal;
use crate::model::{Pod, Snapshot, StatefulSet};

pub(super) fn check_service(snap: &Snapshot, sts: &StatefulSet) -> ServiceCheck {
    let mut check = ServiceCheck {
        name: sts.service_name.clone(),
        exists: None,
        headless: None,
        publish_not_ready_addresses: None,
        problem: None,
    };
    if sts.service_name.is_empty() {
        check.problem = Some("spec.serviceName is empty: pods get no stable DNS names".into());
        return check;
    }
    let Ok(services) = &snap.services else { return check };
    match services.get(&(sts.namespace.clone(), sts.service_name.clone())) {
        None => {
            check.exists = Some(false);
            check.problem = Some(format!(
                "governing service {} does not exist: pods get no DNS records (create a headless service)",
                sts.service_name
            ));
        }
        Some(svc) => {
            check.exists = Some(true);
            check.headless = Some(svc.headless);
            check.publish_not_ready_addresses = Some(svc.publish_not_ready);
            // The endpoints controller gives a pod a DNS record only through a headless service
            // that selects it (with its hostname and subdomain, which the controller sets).
            let pods: Vec<&Pod> = snap.pods_in(&sts.namespace).filter(|p| sts.owns_pod(p)).collect();
            let selects = |p: &&Pod| svc.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v));
            if !svc.headless {
                check.problem = Some(format!(
                    "service {} is not headless (clusterIP is set): pods get no per-pod DNS records",
                    svc.name
                ));
            } else if svc.selector.is_empty() {
                check.problem = Some(format!(
                    "service {} has no selector: no endpoints are published for the pods, so they get no DNS \
                     records (unless its Endpoints are written by hand)",
                    svc.name
                ));
            } else if !pods.is_empty() && !pods.iter().any(selects) {
                let selector: Vec<String> = svc.selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
                check.problem = Some(format!(
                    "service {} selects {} but none of the StatefulSet's pods: they get no DNS records",
                    svc.name,
                    selector.join(",")
                ));
            }
        }
    }
    check
}

pub(super) fn summary(sts: &StatefulSet, service: ServiceCheck) -> Summary {
    let range = sts.ordinal_range();
    Summary {
        namespace: sts.namespace.clone(),
        name: sts.name.clone(),
        replicas: Replicas {
            desired: sts.replicas,
            current: sts.status.replicas,
            ready: sts.status.ready_replicas,
            updated: sts.status.updated_replicas,
            available: sts.status.available_replicas,
        },
        ordinals_start: range.start,
        ordinals_end: range.end,
        pod_management_policy: sts.pod_management_policy.clone(),
        update_strategy: sts.update_strategy.clone(),
        partition: (!sts.is_on_delete()).then_some(sts.partition),
        current_revision: sts.status.current_revision.clone(),
        update_revision: sts.status.update_revision.clone(),
        generation: sts.generation,
        observed_generation: sts.status.observed_generation,
        service,
        deleting: sts.deleting.is_some(),
    }
}

pub(super) fn notes(snap: &Snapshot, sts: &StatefulSet) -> Vec<String> {
    let mut notes = snap.unavailable_notes();
    for pod in snap.pods_in(&sts.namespace) {
        let claimed_elsewhere = pod.controller.as_ref().is_some_and(|o| o.uid != sts.uid);
        if claimed_elsewhere && sts.selector.matches(&pod.labels) && pod_ordinal(&sts.name, &pod.name).is_none() {
            let owner = pod.controller.as_ref().map(|o| format!("{} {}", o.kind, o.name)).unwrap_or_default();
            notes.push(format!(
                "pod {} matches this StatefulSet's selector but is controlled by {owner}: overlapping selectors",
                pod.name
            ));
        }
    }
    if !sts.is_on_delete() && sts.partition > 0 && sts.partition >= sts.replicas {
        notes.push(format!(
            "partition {} >= replicas {}: no pod will be updated to a new revision",
            sts.partition, sts.replicas
        ));
    }
    notes
}
