//! Ctrl-C typed at a confirmation prompt, on a terminal as an operator types it.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Env;
use super::pty::{Session, open_pty};

impl Env {
    /// Runs the plugin with `args` on a terminal (stdin and stderr; stdout a pipe) and, once
    /// `prompt` shows, types Ctrl-C. The prompt reads it as a key only once it has put the
    /// terminal in raw mode; typed a moment earlier, the terminal would swallow it (no process
    /// group to signal), so it is typed again until the plugin exits.
    pub async fn interrupt_on_terminal(&self, args: &[&str], prompt: &str) -> Session {
        let mut full: Vec<String> = vec!["--kubeconfig".into(), self.kubeconfig.display().to_string()];
        full.extend(["-n".to_string(), self.ns.clone()]);
        full.extend(args.iter().map(|s| s.to_string()));
        let prompt = prompt.to_string();
        tokio::task::spawn_blocking(move || interrupt(full, &prompt)).await.expect("join")
    }
}

fn interrupt(args: Vec<String>, prompt: &str) -> Session {
    let (mut master, slave) = open_pty();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-sts_doctor"))
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::from(slave.try_clone().expect("dup pty")))
        .stderr(Stdio::from(slave))
        .stdout(Stdio::piped())
        .spawn()
        .expect("run kubectl-sts_doctor");
    let screen = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let (screen, mut master) = (screen.clone(), master.try_clone().expect("dup pty"));
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let mut stdout = child.stdout.take().expect("stdout");
    let collector = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let seen = || String::from_utf8_lossy(&screen.lock().unwrap()).replace('\r', "");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen().contains(prompt) {
        assert!(Instant::now() < deadline, "no {prompt:?} on the terminal after 30s:\n{}", seen());
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 30s after the prompt:\n{}", seen());
        master.write_all(b"\x03").expect("type Ctrl-C");
        std::thread::sleep(Duration::from_millis(200));
    };
    let stdout = collector.join().expect("stdout collector");
    reader.join().expect("pty reader");
    let out = std::process::Output { status, stdout, stderr: Vec::new() };
    Session { out, screen: seen() }
}
