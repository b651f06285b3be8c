//! Whether a pod's stable DNS name resolves yet. Cluster DNS answers `<pod>.<service>.<ns>.svc`
//! from the addresses the endpoints controllers publish as ready for the governing service
//! (Endpoints `addresses`, EndpointSlice endpoints with `ready: true`); not-ready addresses get no
//! record. Both controllers (1.20: `syncService` / `addEndpointSubset`, and the EndpointSlice
//! `podToEndpoint`) publish a pod as ready when it has an IP, is not terminating and is Ready,
//! or, with `publishNotReadyAddresses`, as soon as it has an IP.

use crate::model::infra::ANNOTATION_TOLERATE_UNREADY as ANNOTATION;
use crate::model::{Pod, ServerVersion, Service};

/// `Some(true)`: published; `Some(false)`: not, and why; `None`: cannot tell, and why (or no
/// reason when the service could not be read: the notes say so).
pub(super) type Publication = (Option<bool>, Option<String>);

pub(super) fn publication(pod: &Pod, service: Option<&Service>, server: Option<&ServerVersion>) -> Publication {
    let Some(svc) = service else { return (None, None) };
    // Before 1.24 (kubernetes#108020) the Endpoints controller let the deprecated annotation
    // override publishNotReadyAddresses; the EndpointSlice controller never read it. DNS servers
    // read one or the other: when they disagree, so can the answer.
    let annotation = svc.tolerate_unready_annotation.filter(|_| server.is_none_or(|v| !v.at_least(1, 24)));
    let endpoints = decide(pod, annotation.unwrap_or(svc.publish_not_ready), server);
    let slices = decide(pod, svc.publish_not_ready, server);
    if endpoints == slices {
        return endpoints;
    }
    let why = |(_, why): &Publication| why.clone().unwrap_or_else(|| "published".into());
    (
        None,
        Some(format!(
            "{} in Endpoints (the deprecated {} annotation), {} in EndpointSlices; it depends on which the DNS \
             server reads",
            why(&endpoints),
            ANNOTATION,
            why(&slices)
        )),
    )
}

fn decide(pod: &Pod, tolerate_unready: bool, server: Option<&ServerVersion>) -> Publication {
    let no = |why: &str| (Some(false), Some(why.to_string()));
    if pod.ip.is_none() {
        return no("no pod IP yet");
    }
    if pod.is_finished() {
        // Terminal pods are never published since kubernetes#110255 (1.25, and patch releases of
        // 1.22-1.24); before, they were like any other not-ready pod.
        match server.map(|v| (v.at_least(1, 25), v.at_least(1, 22))) {
            Some((true, _)) => return no(&pod.phase),
            Some((false, false)) => {}
            _ if tolerate_unready => {
                return (
                    None,
                    Some(format!("{}: published only by controllers without kubernetes#110255 (1.25)", pod.phase)),
                );
            }
            _ => {}
        }
    }
    if tolerate_unready {
        return (Some(true), None);
    }
    if pod.is_terminating() {
        return no("terminating");
    }
    if !pod.ready {
        return no("not Ready");
    }
    (Some(true), None)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ordinals::{OrdinalsReport, diagnose};
    use crate::testing::*;

    fn report(objects: Vec<serde_json::Value>) -> OrdinalsReport {
        let snap = snapshot(objects);
        diagnose(&snap, &snap.statefulsets[0].clone())
    }

    fn pod_with(status: serde_json::Value) -> Pod {
        Pod::from(
            &serde_json::from_value::<k8s_openapi::api::core::v1::Pod>(with(pod("web", 0, "n1"), status)).unwrap(),
        )
    }

    fn svc(patch: serde_json::Value) -> Service {
        Service::from(
            &serde_json::from_value::<k8s_openapi::api::core::v1::Service>(with(service("web", true), patch)).unwrap(),
        )
    }

    fn version(minor: u32) -> Option<ServerVersion> {
        ServerVersion::parse(&format!("v1.{minor}.0"), "1", &minor.to_string())
    }

    #[test]
    fn dns_names_the_endpoints_do_not_publish_are_marked() {
        // The endpoints controllers publish a pod's address as ready, which is what DNS serves its
        // name from, only with a pod IP, not terminating and Ready, unless the service sets
        // publishNotReadyAddresses (then any pod with an IP).
        let mut objects = healthy("web", 4);
        let not_ready = json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } });
        patch(&mut objects, "Pod", "web-1", not_ready);
        patch(
            &mut objects,
            "Pod",
            "web-2",
            json!({ "spec": { "nodeName": null }, "status": { "phase": "Pending", "podIP": null, "conditions": null,
                    "containerStatuses": null } }),
        );
        let deadline = (now() + jiff::SignedDuration::from_secs(20)).to_string();
        patch(
            &mut objects,
            "Pod",
            "web-3",
            json!({ "metadata": { "deletionTimestamp": deadline, "deletionGracePeriodSeconds": 30 } }),
        );
        let published = |r: &OrdinalsReport| -> Vec<(Option<bool>, Option<String>)> {
            r.ordinals.iter().map(|o| (o.dns_published, o.dns_note.clone())).collect()
        };
        let r = report(objects.clone());
        assert_eq!(r.ordinals[1].dns.as_deref(), Some("web-1.web.shop.svc"), "the name it gets once published");
        assert_eq!(
            published(&r),
            [
                (Some(true), None),
                (Some(false), Some("not Ready".into())),
                (Some(false), Some("no pod IP yet".into())),
                (Some(false), Some("terminating".into()))
            ]
        );
        let table = crate::render::ordinals::table(&r, now(), crate::render::style::Style::plain());
        assert!(table.contains("web-0.web.shop.svc\n"), "{table}");
        assert!(table.contains("web-1.web.shop.svc (not published: not Ready)"), "{table}");

        patch(&mut objects, "Service", "web", json!({ "spec": { "publishNotReadyAddresses": true } }));
        let r = report(objects.clone());
        assert_eq!(r.statefulset.service.publish_not_ready_addresses, Some(true));
        assert_eq!(
            published(&r),
            [(Some(true), None), (Some(true), None), (Some(false), Some("no pod IP yet".into())), (Some(true), None)]
        );

        // Services unreadable: the name, but whether it is published is unknown.
        let mut snap = snapshot(objects);
        snap.services = Err("forbidden".into());
        let r = diagnose(&snap, &snap.statefulsets[0].clone());
        assert_eq!(r.ordinals[0].dns.as_deref(), Some("web-0.web.shop.svc"));
        assert_eq!(r.ordinals[0].dns_published, None);
    }

    #[test]
    fn the_deprecated_annotation_counts_only_where_endpoints_and_slices_can_disagree() {
        let not_ready = pod_with(json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }));
        let annotated = svc(json!({ "metadata": { "annotations": { ANNOTATION: "true" } } }));
        // 1.20: Endpoints publish it, EndpointSlices do not: which DNS reads decides.
        let (published, note) = publication(&not_ready, Some(&annotated), version(20).as_ref());
        assert_eq!(published, None);
        assert!(note.unwrap().starts_with("published in Endpoints (the deprecated"));
        // 1.24 removed it (kubernetes#108020).
        assert_eq!(
            publication(&not_ready, Some(&annotated), version(24).as_ref()),
            (Some(false), Some("not Ready".into()))
        );
        // Agreeing with publishNotReadyAddresses: nothing to tell apart.
        let both = svc(json!({ "metadata": { "annotations": { ANNOTATION: "true" } },
                               "spec": { "publishNotReadyAddresses": true } }));
        assert_eq!(publication(&not_ready, Some(&both), version(20).as_ref()), (Some(true), None));
    }

    #[test]
    fn finished_pods_are_not_published_since_kubernetes_110255() {
        let done = pod_with(
            json!({ "status": { "phase": "Succeeded", "conditions": [{ "type": "Ready", "status": "False" }] } }),
        );
        let tolerant = svc(json!({ "spec": { "publishNotReadyAddresses": true } }));
        assert_eq!(publication(&done, Some(&tolerant), version(20).as_ref()), (Some(true), None));
        assert_eq!(publication(&done, Some(&tolerant), version(25).as_ref()), (Some(false), Some("Succeeded".into())));
        assert_eq!(publication(&done, Some(&tolerant), version(23).as_ref()).0, None, "patch releases differ");
        assert_eq!(
            publication(&done, Some(&svc(json!({}))), version(23).as_ref()),
            (Some(false), Some("not Ready".into()))
        );
    }
}
