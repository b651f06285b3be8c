//! Claim sizes against the template, and resizes.

use serde_json::json;

use super::super::tests::{kinds, report};
use crate::testing::*;

#[test]
fn size_class_and_access_drift() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-0",
        json!({ "spec": { "resources": { "requests": { "storage": "2Gi" } } },
        "status": { "capacity": { "storage": "1Gi" }, "conditions": [{ "type": "FileSystemResizePending", "status": "True" }] } }),
    );
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-1",
        json!({ "spec": { "storageClassName": "slow",
        "accessModes": ["ReadWriteMany"] } }),
    );
    // Provisioners may round capacity up: not a problem.
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        json!({ "status": { "capacity": { "storage": "1073741824" } } }),
    );
    let r = report(objects);
    assert_eq!(kinds(&r, "data-web-0"), ["size-drift", "resize-pending"]);
    let msg = &r.claims[0].flags[1].message;
    assert_eq!(msg, "resize pending: capacity 1Gi is below the requested 2Gi (FileSystemResizePending)");
    assert_eq!(kinds(&r, "data-web-1"), ["class-drift", "access-drift"]);
    assert_eq!(kinds(&r, "data-web-2"), Vec::<&str>::new());
}

/// A managedFields entry owning `fields` (FieldsV1), written by `manager`.
fn managed(manager: &str, fields: serde_json::Value) -> serde_json::Value {
    json!({ "manager": manager, "operation": "Update", "apiVersion": "v1", "time": ago(60), "fieldsType": "FieldsV1",
            "fieldsV1": fields })
}

#[test]
fn a_claim_larger_than_its_template_is_called_expanded_only_with_evidence() {
    let storage = json!({ "f:resources": { "f:requests": { "f:storage": {} } } });
    let mut objects = healthy("web", 4);
    let smaller = json!({ "spec": { "resources": { "requests": { "storage": "512Mi" } } } });
    patch(&mut objects, "PersistentVolumeClaim", "data-web-3", smaller);
    let bigger = json!({ "spec": { "resources": { "requests": { "storage": "5Gi" } } },
                         "status": { "capacity": { "storage": "5Gi" } } });
    // Made by hand at 5Gi (kubectl create): the same manager owns the access modes and the size.
    let by_hand =
        managed("kubectl-create", json!({ "f:spec": { "f:accessModes": {}, "f:resources": storage["f:resources"] } }));
    patch(&mut objects, "PersistentVolumeClaim", "data-web-0", bigger.clone());
    patch(&mut objects, "PersistentVolumeClaim", "data-web-0", json!({ "metadata": { "managedFields": [by_hand] } }));
    // Made by the controller, then its request raised with kubectl patch: the patch took the field over.
    let controller =
        managed("kube-controller-manager", json!({ "f:spec": { "f:accessModes": {}, "f:volumeName": {} } }));
    let patched = managed("kubectl-patch", json!({ "f:spec": storage }));
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", bigger.clone());
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-1",
        json!({ "metadata": { "managedFields": [controller, patched] } }),
    );
    // No managedFields, but the resizer reports a resize in progress.
    patch(&mut objects, "PersistentVolumeClaim", "data-web-2", bigger);
    patch(
        &mut objects,
        "PersistentVolumeClaim",
        "data-web-2",
        json!({ "metadata": { "managedFields": null },
                "status": { "conditions": [{ "type": "FileSystemResizePending", "status": "True" }] } }),
    );
    let r = report(objects);
    let message = |claim: &str| r.claims.iter().find(|c| c.claim == claim).unwrap().flags[0].message.clone();
    let tail = "claims for new ordinals get 1Gi (expand them too, or recreate the StatefulSet with a bigger template, \
                orphaning pods)";
    assert_eq!(
        message("data-web-0"),
        format!("requests 5Gi, more than the template's 1Gi (expanded, or created larger): {tail}")
    );
    assert_eq!(
        message("data-web-1"),
        format!(
            "expanded to 5Gi beyond the template's 1Gi (managedFields: its storage request was last set by \
             kubectl-patch, not by its creator kube-controller-manager): {tail}"
        )
    );
    assert_eq!(
        message("data-web-2"),
        format!("expanded to 5Gi beyond the template's 1Gi (resize reported: FileSystemResizePending): {tail}")
    );
    assert_eq!(
        message("data-web-3"),
        "requests 512Mi, less than the template's 1Gi (the template is newer than the claim, or the claim was created \
         smaller): the controller never resizes an existing claim"
    );
}

#[test]
fn an_infeasible_resize_on_newer_servers_is_a_failure_not_pending() {
    let mut objects = healthy("web", 2);
    let resized = |status: &str| {
        json!({ "spec": { "resources": { "requests": { "storage": "2Gi" } } },
        "status": { "capacity": { "storage": "1Gi" }, "allocatedResourceStatuses": { "storage": status } } })
    };
    patch(&mut objects, "PersistentVolumeClaim", "data-web-0", resized("ControllerResizeInfeasible"));
    patch(&mut objects, "PersistentVolumeClaim", "data-web-1", resized("ControllerResizeInProgress"));
    let r = report(objects);
    assert_eq!(kinds(&r, "data-web-0"), ["size-drift", "resize-failed"]);
    assert!(r.claims[0].flags[1].message.starts_with("resize failed (ControllerResizeInfeasible)"));
    assert_eq!(kinds(&r, "data-web-1"), ["size-drift", "resize-pending"]);
    assert!(r.claims[1].flags[1].message.ends_with("(ControllerResizeInProgress)"), "{}", r.claims[1].flags[1].message);
}
