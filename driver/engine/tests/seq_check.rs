//! Per-space sequence checks on RX (spec §3.2): a wrong seq is fatal and the frames of the
//! aborted burst are counted; the exception 0x0800 is exempt but ends in recovery; the MCU
//! space counts on its own.

mod common;
use bes2600_engine::{DropCause, Phase, Policy, RecoveryCause, RecoveryRequest};
use common::*;

#[test]
fn wrong_seq_aborts_the_burst_and_counts_every_frame() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    let good = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    let mut bad = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    // Skip one seq: the chip's next would be correct, this one is +1.
    let id = u16::from_le_bytes([bad[2], bad[3]]);
    let wrong = id.wrapping_add(1 << 13);
    bad[2..4].copy_from_slice(&wrong.to_le_bytes());
    let after1 = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    let after2 = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    rig.chip.push_burst(&[good, bad, after1, after2]);
    rig.step();
    let s = rig.snap();
    // The frame before the error is delivered; the bad one and the 2 after are counted.
    assert_eq!(rig.host.frames(), 1);
    assert_eq!(s.drops_of(DropCause::RxSeq), 3);
    assert_eq!(s.recoveries_of(RecoveryCause::BusError), 1);
    assert_eq!(rig.engine.phase(), Phase::Down);
}

#[test]
fn exception_is_exempt_from_the_seq_check_but_is_a_firmware_hang() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    // The exception carries seq 5, which is not the expected one.
    let mut body = vec![0u8; 4 + 18 * 4 + 48];
    body[0] = 4; // assert
    let mut exc = rig.chip.msg(0x0800, &body);
    exc[3] |= 5 << 5;
    rig.chip.push_burst(&[exc]);
    rig.step();
    let s = rig.snap();
    assert_eq!(s.drops_of(DropCause::RxSeq), 0);
    assert_eq!(s.recoveries_of(RecoveryCause::FwHang), 1);
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::ResetAndReload {
            cause: RecoveryCause::FwHang
        }]
    );
}

#[test]
fn mcu_space_counts_separately() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    // An MCU indication (handle label 0xF0) with MCU seq 0, between LMAC messages.
    let a = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    let mut body = vec![0u8; 12];
    body[4..8].copy_from_slice(&0xF0u32.to_le_bytes());
    let mcu = rig.chip.msg(0x0C30, &body);
    assert_eq!(mcu[3] >> 5, 0, "first MCU message has seq 0");
    let b = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    rig.chip.push_burst(&[a, mcu, b]);
    rig.step();
    assert_eq!(rig.host.frames(), 2);
    assert_eq!(rig.snap().recoveries_total, 0);
    assert_eq!(rig.engine.phase(), Phase::Running);
}

#[test]
fn restart_resets_sequence_numbers() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    let mut exc = rig.chip.msg(0x0800, &[0u8; 8]);
    exc[3] &= 0x1F;
    rig.chip.push_burst(&[exc]);
    rig.step();
    assert_eq!(rig.engine.phase(), Phase::Down);
    // A fresh firmware starts its seqs at 0 again; so must the engine (spec §3.1 item 6).
    rig.chip = MockChip::new();
    rig.host = MockHost::default();
    rig.start(4);
    let m = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    rig.chip.push_burst(&[m]);
    rig.step();
    assert_eq!(rig.host.frames(), 1);
    assert_eq!(rig.snap().recoveries_total, 1);
}
