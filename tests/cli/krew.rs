//! krew-manifest.yaml checked against krew's validation rules (krew pkg/index/validation) and
//! krew-index's review requirements (LICENSE shipped in every archive).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use regex::Regex;
use serde_json::Value;

fn manifest() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/krew-manifest.yaml")).unwrap();
    serde_saphyr::from_str(&text).expect("krew-manifest.yaml is valid YAML")
}

#[test]
fn manifest_follows_krews_rules() {
    follows_krews_rules(&manifest());
}

fn follows_krews_rules(m: &Value) {
    assert_eq!(m["apiVersion"], "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!(m["kind"], "Plugin");
    let name = m["metadata"]["name"].as_str().unwrap();
    assert!(Regex::new(r"^[\w-]+$").unwrap().is_match(name) && name != "krew", "invalid plugin name {name}");
    assert_eq!(name, "sts-doctor", "kubectl maps plugin sts-doctor to binary kubectl-sts_doctor");

    let spec = &m["spec"];
    let version = spec["version"].as_str().unwrap();
    let semver =
        Regex::new(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$").unwrap();
    assert!(semver.is_match(version), "version {version} is not semver with a leading v");
    assert_eq!(&version[1..], env!("CARGO_PKG_VERSION"), "manifest version differs from Cargo.toml");
    assert!(!spec["shortDescription"].as_str().unwrap().is_empty());
    assert!(spec["shortDescription"].as_str().unwrap().len() <= 50);
    assert!(spec["homepage"].as_str().unwrap().starts_with("https://"));

    let sha = Regex::new(r"^[a-f0-9]{64}$").unwrap();
    let mut seen = BTreeSet::new();
    let platforms = spec["platforms"].as_array().unwrap();
    for p in platforms {
        let labels = &p["selector"]["matchLabels"];
        let (os, arch) = (labels["os"].as_str().unwrap(), labels["arch"].as_str().unwrap());
        assert!(seen.insert((os.to_string(), arch.to_string())), "duplicate platform {os}/{arch}");
        let uri = p["uri"].as_str().unwrap();
        assert!(uri.starts_with("https://") && uri.contains(version), "{uri}");
        assert!(sha.is_match(p["sha256"].as_str().unwrap()), "sha256 must be 64 lower-case hex digits");
        let bin = p["bin"].as_str().unwrap();
        let want = if os == "windows" { "kubectl-sts_doctor.exe" } else { "kubectl-sts_doctor" };
        assert_eq!(bin, want);
        let files: Vec<(&str, &str)> = p["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["from"].as_str().unwrap(), f["to"].as_str().unwrap()))
            .collect();
        assert!(files.contains(&(bin, ".")), "{os}/{arch} does not install {bin}");
        assert!(files.contains(&("LICENSE", ".")), "{os}/{arch} archive must ship LICENSE");
    }
    let want: BTreeSet<(String, String)> =
        [("linux", "amd64"), ("linux", "arm64"), ("darwin", "amd64"), ("darwin", "arm64"), ("windows", "amd64")]
            .iter()
            .map(|(o, a)| (o.to_string(), a.to_string()))
            .collect();
    assert_eq!(seen, want);
    assert!(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/LICENSE")).exists());
}

/// scripts/release.sh, run on a copy of the files it touches with stand-in binaries: the manifest
/// it writes still follows krew's rules, and each platform's archive has the sum it names and
/// holds what its `files` install.
#[test]
fn release_script_writes_a_manifest_matching_its_archives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = std::env::temp_dir().join(format!("stsd-release-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join("scripts")).unwrap();
    for file in ["scripts/release.sh", "Cargo.toml", "LICENSE", "README.md", "krew-manifest.yaml"] {
        std::fs::copy(root.join(file), work.join(file)).unwrap();
    }
    let bins = work.join("bins");
    for (target, bin) in [
        ("x86_64-unknown-linux-musl", "kubectl-sts_doctor"),
        ("aarch64-unknown-linux-musl", "kubectl-sts_doctor"),
        ("x86_64-apple-darwin", "kubectl-sts_doctor"),
        ("aarch64-apple-darwin", "kubectl-sts_doctor"),
        ("x86_64-pc-windows-msvc", "kubectl-sts_doctor.exe"),
    ] {
        std::fs::create_dir_all(bins.join(target)).unwrap();
        std::fs::write(bins.join(target).join(bin), format!("binary for {target}")).unwrap();
    }
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    let status = Command::new("bash").arg(work.join("scripts/release.sh")).arg(&version).arg(&bins).status().unwrap();
    assert!(status.success(), "release.sh failed");

    let text = std::fs::read_to_string(work.join("krew-manifest.yaml")).unwrap();
    let m: Value = serde_saphyr::from_str(&text).expect("the released manifest is valid YAML");
    follows_krews_rules(&m);
    for p in m["spec"]["platforms"].as_array().unwrap() {
        let uri = p["uri"].as_str().unwrap();
        let archive = work.join("dist").join(uri.rsplit('/').next().unwrap());
        let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
        let sum = String::from_utf8(sum.stdout).unwrap();
        assert_eq!(sum.split(' ').next(), p["sha256"].as_str(), "{uri}");
        let listing = Command::new("tar").arg("tzf").arg(&archive).output().unwrap();
        let listing: BTreeSet<String> = String::from_utf8(listing.stdout).unwrap().lines().map(String::from).collect();
        for f in p["files"].as_array().unwrap() {
            assert!(listing.contains(f["from"].as_str().unwrap()), "{uri} lacks {}: {listing:?}", f["from"]);
        }
    }
    let wrong = Command::new("bash").arg(work.join("scripts/release.sh")).arg("v99.0.0").arg(&bins).output().unwrap();
    assert!(!wrong.status.success(), "a version other than Cargo.toml's must be refused");
    let _ = std::fs::remove_dir_all(&work);
}
