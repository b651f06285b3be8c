//! Who answers Ctrl-C. By default `app::run` stops the command where it is (exit 130). A command
//! that can say where things stand (a rollout being followed prints its final report) claims
//! Ctrl-C for itself, and `app::run` then leaves the command running to finish that report.

use std::sync::atomic::{AtomicBool, Ordering};

static CLAIMED: AtomicBool = AtomicBool::new(false);

/// From now on the running command handles Ctrl-C itself.
pub fn claim() {
    CLAIMED.store(true, Ordering::SeqCst);
}

pub fn claimed() -> bool {
    CLAIMED.load(Ordering::SeqCst)
}
