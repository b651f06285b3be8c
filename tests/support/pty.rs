//! The plugin run by an operator at a terminal who redirects its output (`> plan.txt`,
//! `| tee log`): stdin and stderr are a pseudo-terminal, stdout is a pipe.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::process::{Child, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Env;

/// What the operator saw on the terminal (stderr, with the pty's `\r` removed) and the output.
pub struct Session {
    pub out: Output,
    pub screen: String,
}

impl Env {
    /// Runs the plugin with `args` on a terminal, stdout redirected; once `prompt` shows on the
    /// terminal, types `key`.
    pub async fn run_on_terminal(&self, args: &[&str], prompt: &str, key: &str) -> Session {
        self.run_on_terminal_with(args, prompt, || {}, key).await
    }

    /// Like [`Env::run_on_terminal`], running `meanwhile` once `prompt` shows and before `key` is
    /// typed: what changes while the operator reads the plan. It runs off the async runtime; to
    /// call the API it can `tokio::runtime::Handle::current().block_on(..)`.
    pub async fn run_on_terminal_with(
        &self,
        args: &[&str],
        prompt: &str,
        meanwhile: impl FnOnce() + Send + 'static,
        key: &str,
    ) -> Session {
        let full = self.plugin_args(&self.kubeconfig, args);
        let (prompt, key) = (prompt.to_string(), key.to_string());
        tokio::task::spawn_blocking(move || interact(full, &prompt, meanwhile, &key)).await.expect("join")
    }
}

fn interact(args: Vec<String>, prompt: &str, meanwhile: impl FnOnce(), key: &str) -> Session {
    let mut terminal = Terminal::spawn(args);
    let deadline = Instant::now() + Duration::from_secs(30);
    terminal.wait_for(prompt, deadline);
    meanwhile();
    terminal.master.write_all(key.as_bytes()).expect("type on the terminal");
    let status = terminal.child.wait().expect("wait for kubectl-sts_doctor");
    terminal.finish(status)
}

/// The plugin running on a pseudo-terminal (stdin and stderr), its stdout a pipe, both read as
/// they come so that it never blocks on a full pipe.
pub(super) struct Terminal {
    /// Our end: what is written here, the plugin reads as typed.
    pub master: File,
    pub child: Child,
    screen: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
    stdout: JoinHandle<Vec<u8>>,
}

impl Terminal {
    pub fn spawn(args: Vec<String>) -> Terminal {
        let (master, slave) = open_pty();
        let mut child = super::plugin_command()
            .args(&args)
            .stdin(Stdio::from(slave.try_clone().expect("dup pty")))
            .stderr(Stdio::from(slave))
            .stdout(Stdio::piped())
            .spawn()
            .expect("run kubectl-sts_doctor");
        // Our copies of the terminal's far end are closed now: reads end (EIO) once the child exits.
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
        let mut pipe = child.stdout.take().expect("stdout");
        let stdout = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            out
        });
        Terminal { master, child, screen, reader, stdout }
    }

    /// What the terminal showed so far, without the pty's `\r`.
    pub fn seen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).replace('\r', "")
    }

    pub fn wait_for(&self, prompt: &str, deadline: Instant) {
        while !self.seen().contains(prompt) {
            assert!(Instant::now() < deadline, "no {prompt:?} on the terminal by the deadline:\n{}", self.seen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn finish(self, status: ExitStatus) -> Session {
        let stdout = self.stdout.join().expect("stdout collector");
        self.reader.join().expect("pty reader");
        let screen = String::from_utf8_lossy(&self.screen.lock().unwrap()).replace('\r', "");
        Session { out: Output { status, stdout, stderr: Vec::new() }, screen }
    }
}

/// A pseudo-terminal of 120x40: (our end, the child's end).
pub(super) fn open_pty() -> (File, File) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize { ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: openpty writes two new descriptors, which the Files then own.
    let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) }
}
