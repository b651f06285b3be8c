//! End-to-end tests of `rollout`.
