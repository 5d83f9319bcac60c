//! `juggernaut bench` prints the WORKLOADS.md line format (small N; no timing is asserted).

use crate::support::Cwd;

#[test]
fn bench_prints_w1_w2_w3_lines_on_sqlite_and_w3_loses_nothing() {
    let cwd = Cwd::new();
    let out = cwd
        .cmd(&[
            "bench",
            "--w3-n",
            "2000",
            "--w3-kill-every-ms",
            "300",
            "--backend",
            "sqlite",
            "--n",
            "300",
            "--w2-n",
            "20",
            "--w2-interval-ms",
            "5",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("system="))
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    let num = r"[0-9]+(\.[0-9]+)?";
    let shape = |w: &str, n: u32, latency: bool| {
        let lat = if latency {
            format!("p50_ms={num} p95_ms={num} p99_ms={num}")
        } else {
            "p50_ms=- p95_ms=- p99_ms=-".into()
        };
        let tput = if latency {
            "-".to_owned()
        } else {
            num.to_owned()
        };
        format!(
            "^system=juggernaut backend=sqlite workload={w} n={n} jobs_per_s={tput} {lat} peak_rss_mb={num}$"
        )
    };
    let matches = |re: &str, line: &str| regex::Regex::new(re).unwrap().is_match(line);
    assert!(
        matches(&shape("W1-enqueue", 300, false), lines[0]),
        "{}",
        lines[0]
    );
    assert!(matches(&shape("W1", 300, false), lines[1]), "{}", lines[1]);
    assert!(matches(&shape("W2", 20, true), lines[2]), "{}", lines[2]);
    // W3 at small N, same shape as the benchmark: real worker processes killed with SIGKILL.
    let w3 = shape("W3", 2000, false)
        .replace("$", r" lost=0 duplicated=0 kills=([1-9][0-9]*) workers=4$");
    let caps = regex::Regex::new(&w3).unwrap().captures(lines[3]);
    assert!(
        caps.is_some(),
        "W3 lost or duplicated work, or killed nothing: {}",
        lines[3]
    );
}

#[test]
fn bench_a1_prints_a_well_formed_line_on_sqlite() {
    let cwd = Cwd::new();
    let out = cwd
        .cmd(&[
            "bench",
            "--workloads",
            "A1",
            "--backend",
            "sqlite",
            "--a1-n",
            "2000",
            "--a1-requests",
            "60",
            "--a1-clients",
            "3",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("system="))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let num = r"[0-9]+(\.[0-9]+)?";
    let re = format!(
        "^system=juggernaut backend=sqlite workload=A1 n=2000 jobs_per_s={num} p50_ms={num} \
         p95_ms={num} p99_ms={num} peak_rss_mb={num} clients=3 requests=60 limit=50$"
    );
    assert!(
        regex::Regex::new(&re).unwrap().is_match(lines[0]),
        "{}",
        lines[0]
    );
}
