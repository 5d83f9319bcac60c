//! The dashboard in a real headless Chromium, through `tests/browser/run.sh` (playwright-core
//! driving Debian's chromium against this binary's `juggernaut up`): sign in, add a goal, see its
//! plan, approve waiting tasks and watch them complete live, requeue a dead letter. Without
//! chromium, node and `npm ci` done in `tests/browser/` the test says so and skips, unless
//! `JUGGERNAUT_REQUIRE_BROWSER` is set (CI sets it), when it fails instead.

use std::path::PathBuf;
use std::process::Command;

fn missing(dir: &std::path::Path) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !PathBuf::from("/usr/bin/chromium").exists() {
        out.push("chromium (apt-get install -y chromium)");
    }
    if Command::new("node").arg("--version").output().is_err() {
        out.push("node (apt-get install -y nodejs npm)");
    }
    if !dir.join("node_modules/playwright-core").exists() {
        out.push("playwright-core (npm ci in tests/browser)");
    }
    out
}

#[test]
fn the_dashboard_works_in_a_real_browser() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    let missing = missing(&dir);
    if !missing.is_empty() {
        let why = format!("browser test skipped: missing {}", missing.join(", "));
        assert!(
            std::env::var_os("JUGGERNAUT_REQUIRE_BROWSER").is_none(),
            "{why} (JUGGERNAUT_REQUIRE_BROWSER is set)"
        );
        eprintln!("{why}");
        return;
    }
    let out = Command::new("bash")
        .arg(dir.join("run.sh"))
        .env("JUGGERNAUT_BIN", assert_cmd::cargo::cargo_bin("juggernaut"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "run.sh failed ({:?}); screenshots and up.log in tests/browser/artifacts/\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
