//! End-to-end tests of `reclaim`.
