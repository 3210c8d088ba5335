//! Criterion benches of the engine against the simulated chip: 100 ms of virtual time at
//! RX saturation, at the seed's 4 MB/s and at TX saturation (the station's queue never
//! empty), after association, and the memcpy floors for one full burst and one TX frame.
//! Figures are printed by criterion; nothing here asserts timings.
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use bes2600_sim::harness::bench::{TX_PAYLOAD, TX_QUEUE_DEPTH};
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
    // TX: the queue is topped up before every step, as in `bench-engine`.
    let tx_run = |h: &mut Harness| {
        let end = h.now_ns + 100_000_000;
        while h.now_ns < end {
            h.host.fill_uplink(TX_QUEUE_DEPTH, TX_PAYLOAD);
            h.step();
        }
    };
    let mut probe = associated(TrafficConfig::OFF);
    let before = probe.engine_counters().tx_frames;
    tx_run(&mut probe);
    g.throughput(Throughput::Elements(
        probe.engine_counters().tx_frames - before,
    ));
    g.bench_function("tx_saturation", |b| {
        b.iter_batched_ref(
            || associated(TrafficConfig::OFF),
            tx_run,
            BatchSize::LargeInput,
        )
    });
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
    // One 1400-byte datagram's WSM message (1484 B): the floor for a one-copy TX path.
    let frame = vec![0x5Au8; 1484];
    let mut slot = vec![0u8; 1536];
    g.throughput(Throughput::Bytes(frame.len() as u64));
    g.bench_function("one_tx_frame", |b| {
        b.iter(|| {
            slot[..frame.len()].copy_from_slice(&frame);
            std::hint::black_box(&mut slot);
        })
    });
    g.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);
