//! How fast this machine runs right now, for benchmarks. A small VM's speed can swing by 2x
//! within seconds (other guests on the host), so a benchmark times a fixed reference loop next to
//! what it measures and reports the two together: a figure taken while the reference ran slowly
//! was taken on a slowed-down machine.

use std::time::{Duration, Instant};

/// The bytes the reference loop runs over (the size of a large go.mod).
const REFERENCE_BYTES: usize = 26_815;

/// The reference loop: byte arithmetic over a fixed buffer, 20 times, the same instructions
/// every time; no allocation and little memory traffic.
fn reference_loop(data: &[u8]) -> u64 {
    let mut hash = 0u64;
    let mut lines = 0u64;
    for _ in 0..20 {
        for &b in std::hint::black_box(data) {
            if b == b'\n' {
                lines += 1;
            } else if b > b' ' {
                hash = hash.rotate_left(5) ^ u64::from(b);
            } else {
                hash = hash.wrapping_mul(31);
            }
        }
    }
    hash ^ lines
}

/// The reference loop's buffer: text shaped like a go.mod's lines.
fn reference_data() -> Vec<u8> {
    b"\tgithub.com/example/module v1.2.3 // indirect\n"
        .iter()
        .copied()
        .cycle()
        .take(REFERENCE_BYTES)
        .collect()
}

/// The median time of three runs of the reference loop (a few hundred microseconds at this VM's
/// full speed).
pub fn reference_time() -> Duration {
    let data = reference_data();
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(reference_loop(&data));
            start.elapsed()
        })
        .collect();
    times.sort();
    times.get(1).copied().unwrap_or_default()
}

/// The fastest reference time seen over about `budget`: the machine's best speed just now.
pub fn best_reference_time(budget: Duration) -> Duration {
    let deadline = Instant::now() + budget;
    let mut best = reference_time();
    while Instant::now() < deadline {
        best = best.min(reference_time());
    }
    best
}
