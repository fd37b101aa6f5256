//! Percentiles over a set of durations.

use std::time::Duration;

pub struct Summary {
    pub n: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

pub fn summarise(mut samples: Vec<Duration>) -> Summary {
    samples.sort();
    // Nearest-rank percentile: with 30 samples p99 is the largest.
    let at = |p: f64| {
        if samples.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1]
    };
    Summary {
        n: samples.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: samples.last().copied().unwrap_or_default(),
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Resident memory figures from /proc/self/status, in kB.
pub fn proc_status_kb(field: &str) -> u64 {
    status_kb("/proc/self/status", field)
}

/// The same figure for another process, by pid.
pub fn pid_status_kb(pid: u32, field: &str) -> u64 {
    status_kb(&format!("/proc/{pid}/status"), field)
}

fn status_kb(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The middle value (the lower of the two middles for an even count).
pub fn median<T: Copy + Ord>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[(sorted.len() - 1) / 2]
}
