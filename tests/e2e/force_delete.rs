//! End-to-end tests of `force-delete`.
