//! man/ holds a man page for the plugin and one per subcommand, made by clap_mangen from the same
//! clap definitions as `--help`; UPDATE_MAN=1 rewrites them.

use std::path::Path;

use clap::CommandFactory;
use sts_doctor::cli::Cli;

/// (file name, roff) for the command and, recursively, each visible subcommand
/// (`kubectl-sts_doctor-rollout-undo.1`).
fn pages(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let name = if prefix.is_empty() { cmd.get_name().to_string() } else { format!("{prefix}-{}", cmd.get_name()) };
    let mut roff = Vec::new();
    let named: &'static str = Box::leak(name.clone().into_boxed_str());
    clap_mangen::Man::new(cmd.clone().name(named).display_name(named)).render(&mut roff).expect("render man page");
    out.push((format!("{name}.1"), roff));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        pages(sub, &name, out);
    }
}

#[test]
fn man_pages_are_current() {
    let mut cmd = Cli::command();
    cmd.build();
    let mut want = Vec::new();
    pages(&cmd, "", &mut want);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    if std::env::var_os("UPDATE_MAN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, roff) in &want {
            std::fs::write(dir.join(file), roff).unwrap();
        }
        return;
    }
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    committed.sort();
    let mut names: Vec<String> = want.iter().map(|(f, _)| f.clone()).collect();
    names.sort();
    assert_eq!(committed, names, "man/ has other pages: run `UPDATE_MAN=1 cargo test --test cli man`");
    for (file, roff) in &want {
        let have = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(&have == roff, "man/{file} is stale: run `UPDATE_MAN=1 cargo test --test cli man`");
    }
}
