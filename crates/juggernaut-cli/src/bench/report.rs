//! The result line of WORKLOADS.md, percentiles, and the process's peak resident memory.

use juggernaut_store::url::Backend;

/// One result line's fields; `None` prints as `-`.
#[derive(Debug, Default)]
pub struct Line {
    pub workload: &'static str,
    pub n: u64,
    pub jobs_per_s: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Extra `key=value` pairs appended to the line.
    pub extra: Vec<(String, String)>,
}

fn field(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.decimals$}"))
}

impl Line {
    /// Renders the line for `backend`, with the peak RSS read now.
    pub fn render(&self, backend: Backend) -> String {
        let mut s = format!(
            "system=juggernaut backend={} workload={} n={} jobs_per_s={} p50_ms={} p95_ms={} p99_ms={} peak_rss_mb={}",
            backend.as_str(),
            self.workload,
            self.n,
            field(self.jobs_per_s, 1),
            field(self.p50_ms, 2),
            field(self.p95_ms, 2),
            field(self.p99_ms, 2),
            field(peak_rss_mb(), 1),
        );
        for (k, v) in &self.extra {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_matches_workloads_md() {
        let l = Line {
            workload: "W1",
            n: 10,
            jobs_per_s: Some(1234.56),
            ..Default::default()
        };
        let s = l.render(Backend::Sqlite);
        assert!(s.starts_with("system=juggernaut backend=sqlite workload=W1 n=10 jobs_per_s=1234.6 p50_ms=- p95_ms=- p99_ms=- peak_rss_mb="));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
