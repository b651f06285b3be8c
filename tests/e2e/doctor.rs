//! End-to-end tests of `doctor`.
