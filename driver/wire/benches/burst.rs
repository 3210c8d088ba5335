// SPDX-License-Identifier: GPL-2.0-only
//! Criterion bench of the RX burst splitter and the TX packer (spec §1.5, §1.7).
//! Figures are printed by criterion; nothing here asserts a time.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]

use bes2600_wire::align4;
use bes2600_wire::sdio::{round_up_blocks, Burst, TxConfig, TxPacker, MAX_RX_BUF, MAX_TX_BUF};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

/// A burst of `n` messages of `len` bytes each, laid out as the chip sends them.
fn burst(n: usize, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; MAX_RX_BUF];
    let mut pos = 0;
    for _ in 0..n {
        b[pos..pos + 2].copy_from_slice(&(len as u16).to_le_bytes());
        b[pos + 2..pos + 4].copy_from_slice(&0x0804u16.to_le_bytes());
        pos += align4(len);
    }
    b.truncate(round_up_blocks(pos));
    b
}

fn split(c: &mut Criterion) {
    let mut g = c.benchmark_group("burst_split");
    for (n, len) in [(1, 64), (16, 64), (16, 1500), (16, 1632)] {
        let b = burst(n, len);
        g.throughput(Throughput::Bytes(b.len() as u64));
        g.bench_with_input(BenchmarkId::new(format!("{n}x"), len), &b, |bench, b| {
            bench.iter(|| {
                let mut total = 0;
                for m in Burst::new(black_box(b)) {
                    total += m.map(|m| m.len()).unwrap_or(0);
                }
                total
            })
        });
    }
    g.finish();
}

fn pack(c: &mut Criterion) {
    let mut msg = vec![0u8; 1500];
    msg[..2].copy_from_slice(&1500u16.to_le_bytes());
    msg[2..4].copy_from_slice(&0x0004u16.to_le_bytes());
    let mut out = vec![0u8; MAX_TX_BUF];
    c.bench_function("tx_pack_16x1500", |bench| {
        bench.iter(|| {
            let mut p = TxPacker::new(&mut out, TxConfig::SIGNAL);
            while p.try_push(black_box(&msg), 0).unwrap_or(false) {}
            p.finish()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = split, pack
}
criterion_main!(benches);
