// SPDX-License-Identifier: GPL-2.0-only
//! rx-probe: receives the simulated AP's downlink UDP stream (contracts.md) for a fixed
//! time inside the QEMU guest and prints one JSON line: datagrams, lost, duplicated,
//! reordered, malformed, payload bytes and Mb/s. Used by image/init until the smoke test
//! binary is cross-built into the image.
//!
//! Usage: rx-probe PORT SECONDS
use std::collections::HashSet;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(47600);
    let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let sock = match UdpSocket::bind(("0.0.0.0", port)) {
        Ok(s) => s,
        Err(e) => {
            println!("{{\"error\":\"bind: {e}\"}}");
            std::process::exit(2);
        }
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    let (mut n, mut bytes, mut dup, mut reord, mut bad) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut seen = HashSet::new();
    let (mut first, mut max_seq): (Option<u64>, Option<u64>) = (None, None);
    let mut t_first: Option<Instant> = None;
    let mut t_last = Instant::now();
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        let len = match sock.recv(&mut buf) {
            Ok(l) => l,
            Err(_) => continue,
        };
        let Some(p) = buf.get(..len) else { continue };
        if len < 20 || &p[..4] != b"B26S" {
            bad += 1;
            continue;
        }
        let mut s = [0u8; 8];
        s.copy_from_slice(&p[4..12]);
        let seq = u64::from_be_bytes(s);
        let filler_ok = p[20..].iter().all(|&b| b == (seq & 0xff) as u8);
        if !filler_ok {
            bad += 1;
            continue;
        }
        let now = Instant::now();
        t_first.get_or_insert(now);
        t_last = now;
        n += 1;
        bytes += len as u64;
        if !seen.insert(seq) {
            dup += 1;
            continue;
        }
        first = Some(first.map_or(seq, |f| f.min(seq)));
        match max_seq {
            Some(m) if seq < m => reord += 1,
            _ => max_seq = Some(seq),
        }
    }
    // Loss: sequence numbers missing between the lowest and highest seen.
    let lost = match (first, max_seq) {
        (Some(f), Some(m)) => (m - f + 1).saturating_sub(seen.len() as u64),
        _ => 0,
    };
    // Where the losses are: number of gaps and the longest one.
    let mut sorted: Vec<u64> = seen.iter().copied().collect();
    sorted.sort_unstable();
    let (mut gaps, mut max_gap) = (0u64, 0u64);
    for w in sorted.windows(2) {
        let d = w[1] - w[0] - 1;
        if d > 0 {
            gaps += 1;
            max_gap = max_gap.max(d);
        }
    }
    let dt = t_first.map_or(0.0, |t| t_last.duration_since(t).as_secs_f64());
    let mbps = if dt > 0.0 {
        bytes as f64 * 8.0 / dt / 1e6
    } else {
        0.0
    };
    println!(
        "{{\"datagrams\":{n},\"unique\":{},\"lost\":{lost},\"duplicated\":{dup},\"reordered\":{reord},\"malformed\":{bad},\"bytes\":{bytes},\"seconds\":{dt:.3},\"mbps\":{mbps:.3},\"first_seq\":{},\"last_seq\":{},\"gaps\":{gaps},\"max_gap\":{max_gap}}}",
        seen.len(),
        first.map_or(-1, |v| v as i64),
        max_seq.map_or(-1, |v| v as i64)
    );
}
