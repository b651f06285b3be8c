//! kubectl sts-doctor: diagnose and safely repair Kubernetes StatefulSets.
//!
//! Layers: `cli` (clap types) → `app` (dispatch) → `commands` (per subcommand: complete,
//! validate, run) which use `cluster` (the only code that talks to the API) to fetch a `model`
//! snapshot, pure diagnosis modules (`ordinals`, `claims`, ...) to compute a report or plan,
//! `render` to print it, and `apply` to carry out mutations.

pub mod app;
pub mod apply;
pub mod claims;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod complete;
pub mod controller_rules;
pub mod doctor;
pub mod drain;
pub mod duration;
pub mod error;
pub mod fold;
pub mod force_delete;
pub mod health;
pub mod history;
pub mod interrupt;
pub mod logging;
pub mod model;
pub mod ordinals;
pub mod prompt;
pub mod reclaim;
pub mod render;
pub mod rollout;
pub mod severity;
mod testing;
