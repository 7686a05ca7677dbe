//! Our own fixture recordings (`moobius-proto/tests/fixtures-extra`) are what
//! the reference SDK really does: `tests/python/record_fixtures.py` is run
//! again against the installed `moobius==1.8.0` (network stubbed) into a
//! temporary folder, and every recorded case must be identical to the
//! committed one (and no case may be missing or extra).
//!
//! Needs `MOOBIUS_PYTHON` (skipped with a notice without it, except under CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> Option<PathBuf> {
    match std::env::var_os("MOOBIUS_PYTHON") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ if std::env::var_os("CI").is_some() => {
            panic!("MOOBIUS_PYTHON is not set under CI: run the tests through scripts/test.sh")
        }
        _ => {
            eprintln!("NOTICE: recorded_fixtures skipped: MOOBIUS_PYTHON is not set");
            None
        }
    }
}

fn json_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_committed_recordings_are_what_the_reference_sdk_does() {
    let Some(python) = python() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let committed = root.join("moobius-proto/tests/fixtures-extra");
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(&python)
        .arg(root.join("tests/python/record_fixtures.py"))
        .env("MOOBIUS_RECORD_OUT", out.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(out.path())
        .output()
        .expect("the recorder runs");
    assert!(
        run.status.success(),
        "the recorder failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let mut problems = Vec::new();
    let mut compared = 0;
    for kind in ["http", "ws_inbound", "ws_outbound"] {
        let (ours, fresh) = (committed.join(kind), out.path().join(kind));
        let (a, b) = (json_files(&ours), json_files(&fresh));
        for missing in b.difference(&a) {
            problems.push(format!("{kind}/{missing}: recorded but not committed"));
        }
        for extra in a.difference(&b) {
            problems.push(format!("{kind}/{extra}: committed but no longer recorded"));
        }
        for name in a.intersection(&b) {
            compared += 1;
            let x = std::fs::read_to_string(ours.join(name)).unwrap();
            let y = std::fs::read_to_string(fresh.join(name)).unwrap();
            if x != y {
                problems.push(format!("{kind}/{name}: differs from a fresh recording"));
            }
        }
    }
    assert!(compared > 0, "nothing compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("{compared} recorded cases are identical to a fresh recording");
}
