//! Ctrl-C typed at a confirmation prompt, on a terminal as an operator types it.

use std::io::Write;
use std::time::{Duration, Instant};

use super::Env;
use super::pty::{Session, Terminal};

impl Env {
    /// Runs the plugin with `args` on a terminal (stdin and stderr; stdout a pipe) and, once
    /// `prompt` shows, types Ctrl-C. The prompt reads it as a key only once it has put the
    /// terminal in raw mode; typed a moment earlier, the terminal would swallow it (no process
    /// group to signal), so it is typed again until the plugin exits.
    pub async fn interrupt_on_terminal(&self, args: &[&str], prompt: &str) -> Session {
        let full = self.plugin_args(&self.kubeconfig, args);
        let prompt = prompt.to_string();
        tokio::task::spawn_blocking(move || interrupt(full, &prompt)).await.expect("join")
    }
}

fn interrupt(args: Vec<String>, prompt: &str) -> Session {
    let mut terminal = Terminal::spawn(args);
    let deadline = Instant::now() + Duration::from_secs(30);
    terminal.wait_for(prompt, deadline);
    let status = loop {
        if let Some(status) = terminal.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 30s after the prompt:\n{}", terminal.seen());
        terminal.master.write_all(b"\x03").expect("type Ctrl-C");
        std::thread::sleep(Duration::from_millis(200));
    };
    terminal.finish(status)
}
