//! End-to-end tests against the real control plane (tests/run.sh starts it).
//! Each test gets its own namespace and its own simulated nodes.

#[path = "../support/mod.rs"]
mod support;

mod claims;
mod cli;
mod compact;
mod disruption;
mod doctor;
mod force_delete;
mod force_delete_confirm;
mod force_delete_plan;
mod modern;
mod modern_rollout;
mod ordinals;
mod reclaim;
mod rollout;
mod rollout_edges;
mod rollout_foreign;
mod rollout_history;
mod rollout_json;
