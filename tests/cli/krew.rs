//! krew-manifest.yaml checked against krew's validation rules (krew pkg/index/validation) and
//! krew-index's review requirements (LICENSE shipped in every archive).

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;

fn manifest() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/krew-manifest.yaml")).unwrap();
    serde_saphyr::from_str(&text).expect("krew-manifest.yaml is valid YAML")
}

#[test]
fn manifest_follows_krews_rules() {
    let m = manifest();
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
