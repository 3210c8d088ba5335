//! A hostile chip: random bursts, random length-register values, CRC errors and garbage
//! messages mixed with real frames. The engine must never panic, never exceed its credits,
//! and only ever deliver real frames, each at most once; everything else is a counted drop
//! or a recovery (DESIGN.md §2 invariants).

mod common;
use std::collections::HashSet;

use bes2600_engine::{Phase, Policy};
use common::*;

/// xorshift64*: deterministic, seeded, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn tagged_frame(tag: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0x5Au8; len.max(8)];
    f[0] = 0x08;
    f[4..8].copy_from_slice(&tag.to_le_bytes());
    f
}

#[test]
fn random_garbage_never_panics_and_only_real_frames_are_delivered() {
    for seed in [1u64, 0xBAD, 0x5EED_1234] {
        let mut rng = Rng(seed);
        let mut rig = Rig::new(Policy::default());
        rig.start(16);
        let mut sent = HashSet::new();
        let mut tag = 0u32;
        let mut restarts = 0;
        for _ in 0..4000 {
            match rng.below(10) {
                // A burst of real frames.
                0..=3 => {
                    let n = 1 + rng.below(16) as usize;
                    let msgs: Vec<_> = (0..n)
                        .map(|_| {
                            tag += 1;
                            sent.insert(tag);
                            let len = 24 + rng.below(1500) as usize;
                            rig.chip.rx_ind(0, 0, &tagged_frame(tag, len))
                        })
                        .collect();
                    rig.chip.push_burst(&msgs);
                }
                // Pure garbage bytes as a burst.
                4 => {
                    let blocks = 1 + rng.below(51) as usize;
                    let b: Vec<u8> = (0..blocks * 512).map(|_| rng.next() as u8).collect();
                    rig.chip.queue.push_back(b);
                }
                // A garbage message with a plausible header and the right seq.
                5 => {
                    let id = (rng.next() as u16) & 0x0FFF;
                    let body: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
                    let m = rig.chip.msg(id, &body);
                    rig.chip.push_burst(&[m]);
                }
                // A random length-register value.
                6 => rig.chip.len_reg_script.push_back(rng.next() as u8),
                // CRC errors.
                7 => rig.chip.crc_fail_reads = rng.below(14) as u32,
                // TX traffic.
                8 => {
                    for _ in 0..rng.below(20) {
                        tag += 1;
                        rig.host.queue_tx(24 + rng.below(1700) as usize, tag);
                    }
                }
                // Time passes.
                _ => rig.now += rng.below(4 * SEC),
            }
            rig.settle(8);
            let (_, used, total) = rig.engine.credits();
            assert!(used <= total);
            if rig.engine.phase() == Phase::Down {
                // What the driver does on ResetAndReload: fresh chip, start again.
                restarts += 1;
                rig.chip = MockChip::new();
                rig.host.tx_queue.clear();
                rig.start(16);
            }
        }
        let mut seen = HashSet::new();
        for (_, f) in rig.host.batches.iter().flatten() {
            let t = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
            assert!(
                sent.contains(&t),
                "seed {seed:#x}: delivered a frame never sent"
            );
            assert!(seen.insert(t), "seed {seed:#x}: frame {t} delivered twice");
            assert!(
                f[8..].iter().all(|&b| b == 0x5A),
                "seed {seed:#x}: corrupted frame"
            );
        }
        let s = rig.snap();
        assert!(
            restarts > 0 && s.recoveries_total >= restarts,
            "seed {seed:#x}"
        );
        assert!(s.drops_total > 0, "seed {seed:#x}");
        assert!(!seen.is_empty(), "seed {seed:#x}: nothing got through");
        println!(
            "seed {seed:#x}: {} frames delivered, {} drops, {} recoveries",
            seen.len(),
            s.drops_total,
            s.recoveries_total
        );
    }
}
