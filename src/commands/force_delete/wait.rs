//! `--wait`: follows the ordinal after the deletion (what a pod means is in `force_delete::wait`).
//!
//! Waiting only observes: by now the pod is deleted, so a failed poll (a dropped connection, a
//! 5xx) must not end the command without its report. It is noted, and polling goes on until the
//! pod is back and Ready or `--timeout` passes.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::cluster::ApiError;
use crate::commands::Context;
use crate::force_delete::Report;
use crate::force_delete::wait::{WaitReport, WaitState, volume_trouble};
use crate::render::{self, write_stdout};

/// How often --wait looks at the pod.
const POLL: Duration = Duration::from_secs(1);

/// Polls the pod until a new uid is Running and Ready, or `timeout`; shows progress on a
/// terminal, plain lines otherwise; reports FailedAttachVolume / Multi-Attach events of the new pod.
pub(super) async fn wait(ctx: &Context, report: &Report, timeout: Duration, table: bool) -> Result<WaitReport> {
    let pod = &report.pod.name;
    let owned = report.evidence.pod.controller.as_ref().is_some_and(|o| o.kind == "StatefulSet");
    let mut out = WaitReport {
        done: false,
        skipped: false,
        elapsed_seconds: 0,
        last: WaitState::Gone,
        volume_trouble: vec![],
        note: None,
    };
    if !owned {
        out.note = Some(format!("not waiting: {pod} is not owned by a StatefulSet, so nothing recreates it"));
        out.skipped = true;
        print_wait(ctx, &out, pod, table)?;
        return Ok(out);
    }
    let progress = Progress::new(table && std::io::stderr().is_terminal());
    let start = Instant::now();
    let mut events_note = None;
    let mut poll_error;
    loop {
        poll_error = match ctx.cluster.pod_opt(&report.pod.namespace, pod).await {
            Ok(found) => {
                out.last = WaitState::of(&report.pod.uid, found.as_ref());
                None
            }
            Err(e) => {
                progress.line(&format!("{pod}: cannot check ({e}); trying again"));
                Some(format!("the last check failed: {e}"))
            }
        };
        let new_uid = if poll_error.is_none() { out.last.new_uid() } else { None };
        if let Some(uid) = new_uid {
            match ctx.cluster.pod_events(&report.pod.namespace, uid).await {
                Ok(events) => {
                    for line in volume_trouble(&events) {
                        if !out.volume_trouble.contains(&line) {
                            progress.line(&format!("volume: {line}"));
                            out.volume_trouble.push(line);
                        }
                    }
                }
                Err(e @ ApiError::Forbidden { .. }) => events_note = Some(format!("events not checked: {e}")),
                // Events are extra: a failed LIST is tried again on the next poll.
                Err(_) => {}
            }
        }
        out.elapsed_seconds = start.elapsed().as_secs();
        progress.state(&out.last.describe(pod));
        if out.last.is_ready() {
            out.done = true;
            break;
        }
        if start.elapsed() >= timeout {
            break;
        }
        tokio::time::sleep(POLL.min(timeout.saturating_sub(start.elapsed()))).await;
    }
    progress.finish();
    let notes: Vec<String> = [events_note, poll_error].into_iter().flatten().collect();
    out.note = (!notes.is_empty()).then(|| notes.join("; "));
    print_wait(ctx, &out, pod, table)?;
    Ok(out)
}

fn print_wait(ctx: &Context, out: &WaitReport, pod: &str, table: bool) -> Result<()> {
    if table {
        write_stdout(&render::force_delete::wait(out, pod, ctx.style))?;
    }
    Ok(())
}

/// A spinner on a terminal; otherwise one stderr line per change.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last: RefCell<String>,
}

impl Progress {
    fn new(tty: bool) -> Self {
        let bar = tty.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar, last: RefCell::new(String::new()) }
    }

    fn state(&self, text: &str) {
        if *self.last.borrow() == text {
            return;
        }
        *self.last.borrow_mut() = text.to_string();
        match &self.bar {
            Some(bar) => bar.set_message(text.to_string()),
            None => eprintln!("{text}"),
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use serde_json::json;

    use super::super::tests::{context, report};
    use super::*;
    use crate::testing::mock_api::{failure, respond};
    use crate::testing::{pod, with};

    /// The pod was deleted; then one poll fails (the API server is briefly unavailable), and the
    /// next finds the replacement Ready: the wait ends done, not with an error that would lose
    /// the report of the deletion.
    #[tokio::test]
    async fn a_failed_poll_is_noted_and_waiting_goes_on() {
        let (ctx, mut handle) = context();
        tokio::spawn(async move {
            let mut gets = 0;
            while let Some((request, send)) = handle.next_request().await {
                let path = request.uri().path().to_string();
                send.send_response(if path.ends_with("/pods/web-1") {
                    gets += 1;
                    if gets == 1 {
                        let status = failure(503, "ServiceUnavailable", "etcdserver: leader changed");
                        respond(StatusCode::SERVICE_UNAVAILABLE, status)
                    } else {
                        respond(StatusCode::OK, with(pod("web", 1, "n1"), json!({ "metadata": { "uid": "new" } })))
                    }
                } else {
                    assert!(path.ends_with("/events"), "{path}");
                    respond(
                        StatusCode::OK,
                        json!({ "kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": [] }),
                    )
                });
            }
        });
        let waited = wait(&ctx, &report(), Duration::from_secs(20), false).await.unwrap();
        assert!(waited.done, "{waited:?}");
        assert_eq!(waited.last, WaitState::Ready { uid: "new".into(), node: Some("n1".into()) });
        assert_eq!(waited.note, None, "a later successful check clears the failed one");
    }
}
