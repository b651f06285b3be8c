//! Who answers Ctrl-C. By default `app::run` stops the command where it is (exit 130). A command
//! that can say where things stand (a rollout being followed prints its final report) claims
//! Ctrl-C for itself, and `app::run` then leaves the command running and hands it the Ctrl-C.
//!
//! There is one listener, `app::run`'s, made before the command starts. A claiming command used
//! to listen for itself, but a listener hears only what comes after it is made, and `app::run`
//! could judge a Ctrl-C after the claim that came before the command's listener: it left it to
//! the command, which never heard it (a follow then ran on until --timeout). Handed over through
//! a stored permit, a Ctrl-C is kept until the command waits for it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

static CLAIMED: AtomicBool = AtomicBool::new(false);
static HANDED_OVER: LazyLock<Notify> = LazyLock::new(Notify::new);

/// From now on the running command handles Ctrl-C itself (see [`next`]).
pub fn claim() {
    CLAIMED.store(true, Ordering::SeqCst);
}

pub fn claimed() -> bool {
    CLAIMED.load(Ordering::SeqCst)
}

/// Hands a Ctrl-C to the command that claimed it; kept until it waits for one.
pub fn hand_over() {
    HANDED_OVER.notify_one();
}

/// The next Ctrl-C handed over to the claiming command (or the one handed over before it waited).
pub async fn next() {
    HANDED_OVER.notified().await;
}

/// Ctrl-C (SIGINT on Unix) from the moment it is made: one listener for the whole run, so no
/// Ctrl-C falls between two waits (a `tokio::signal::ctrl_c()` future listens only once polled).
pub struct Listener(Inner);

#[cfg(unix)]
type Inner = tokio::signal::unix::Signal;
#[cfg(windows)]
type Inner = tokio::signal::windows::CtrlC;

impl Listener {
    pub fn new() -> std::io::Result<Listener> {
        #[cfg(unix)]
        let inner = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(windows)]
        let inner = tokio::signal::windows::ctrl_c();
        inner.map(Listener)
    }

    /// The next Ctrl-C; None once signals can no longer be received.
    pub async fn recv(&mut self) -> Option<()> {
        self.0.recv().await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_ctrl_c_handed_over_before_the_command_waits_is_kept() {
        hand_over();
        let kept = tokio::time::timeout(Duration::from_secs(1), next()).await;
        assert!(kept.is_ok(), "the Ctrl-C handed over was lost");
        // One Ctrl-C is one permit.
        assert!(tokio::time::timeout(Duration::from_millis(50), next()).await.is_err());
    }
}
