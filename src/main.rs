//! `kubectl sts-doctor`: parse, run, map the outcome to an exit code. Everything else is in the library.

use std::process::ExitCode;

use sts_doctor::error::{Exit, exit_code_for, is_broken_pipe, one_line};

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error (please report it): {info}");
    }));
    let cli = match sts_doctor::cli::parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    sts_doctor::logging::init(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Error.into();
        }
    };
    let result = runtime.block_on(sts_doctor::app::run(cli));
    tracing::info!(requests = sts_doctor::cluster::requests_sent(), "done");
    if std::env::var_os("STS_DOCTOR_STATS").is_some() {
        eprintln!("api-requests: {}", sts_doctor::cluster::requests_sent());
    }
    match result {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            exit_code_for(&e).into()
        }
    }
}
