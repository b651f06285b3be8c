//! Fetching snapshots (see `crate::model::Snapshot`).
