//! Criterion benches of the engine against the simulated chip: 100 ms of virtual time at
//! saturation and at the seed's 4 MB/s, after association, and the memcpy floor for one
//! full burst. Figures are printed by criterion; nothing here asserts timings.
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{SimConfig, TrafficConfig};

fn associated(traffic: TrafficConfig) -> Harness {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5_000_000_000));
    h.run_for(50_000_000);
    h
}

fn scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine_sim_100ms_virtual");
    g.sample_size(20);
    for (name, t) in [
        ("saturation", TrafficConfig::SATURATION),
        ("seed_4mbps", TrafficConfig::SEED_4MBPS),
    ] {
        // Frames per 100 ms window, for criterion's per-element throughput.
        let mut probe = associated(t);
        let before = probe.host.stream.unique;
        probe.run_for(100_000_000);
        g.throughput(Throughput::Elements(probe.host.stream.unique - before));
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || associated(t),
                |h| h.run_for(100_000_000),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
    let src = vec![0x5Au8; bes2600_sim::regs::MAX_BURST];
    let mut dst = vec![0u8; bes2600_sim::regs::MAX_BURST];
    let mut g = c.benchmark_group("memcpy");
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("one_full_burst", |b| {
        b.iter(|| {
            dst.copy_from_slice(&src);
            std::hint::black_box(&mut dst);
        })
    });
    g.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
