//! `bench-engine`: runs the RX saturation, the seed's 4 MB/s and the TX saturation scenarios
//! of the engine against the simulated chip and prints, as its last line, one JSON object:
//! the RX saturation figures at top level, the 4 MB/s ones under `"seed_4mbps"` and the TX
//! ones (every key `tx_…`) under `"tx_saturation"`.
//!
//! Exits 1 when a TX goal of issue 18 is missed (at most 0.1 bus transactions and 1 copy per
//! TX frame), after printing every figure.
//!
//! Usage: `bench-engine [VIRTUAL_SECONDS]` (default 20).

use bes2600_sim::harness::bench::{run_scenario, run_tx_saturation, TX_PAYLOAD};
use bes2600_sim::TrafficConfig;

fn main() -> std::process::ExitCode {
    let secs: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 20,
        Some(Ok(s)) if s > 0 => s,
        Some(_) => {
            eprintln!("usage: bench-engine [VIRTUAL_SECONDS > 0]");
            return std::process::ExitCode::from(2);
        }
    };
    let window = secs * 1_000_000_000;
    let sat = run_scenario(TrafficConfig::SATURATION, window, 1);
    println!(
        "saturation (65 Mb/s HT MCS7, 16-frame A-MPDUs, 1400 B): {}",
        sat.to_json()
    );
    let seed = run_scenario(TrafficConfig::SEED_4MBPS, window, 2);
    println!(
        "seed 4 MB/s (32 Mb/s offered, 4-frame A-MPDUs, 1400 B): {}",
        seed.to_json()
    );
    let tx = run_tx_saturation(window, 3);
    println!(
        "tx saturation (uplink UDP {TX_PAYLOAD} B, queue never empty): {}",
        tx.to_json()
    );
    let missed = tx.missed_goals();
    for m in &missed {
        println!("GOAL MISSED: {m}");
    }
    let top = sat.to_json();
    let inner = top.trim_end_matches('}');
    println!(
        "{inner},\"scenario\":\"saturation\",\"seed_4mbps\":{},\"tx_saturation\":{}}}",
        seed.to_json(),
        tx.to_json()
    );
    if missed.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
