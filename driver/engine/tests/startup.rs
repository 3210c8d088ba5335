//! Start-up: bounded MCU_READY poll, WIFI activate handshake order, startup indication,
//! credits from numInpChBufs, MIB 0x1024 and Configuration for interfaces 0 and 1.

mod common;
use bes2600_engine::{Phase, Policy, RecoveryCause, RecoveryRequest, StartConfig};
use common::*;

#[test]
fn bring_up_sends_handshake_then_startup_commands() {
    let mut rig = Rig::new(Policy::default());
    rig.start(12);
    // Doorbell: high byte 0x121 first, then the low byte 0x120 = DOORBELL | WIFI_ACTIVATE.
    assert_eq!(rig.chip.host_int, vec![(0x121, 0x00), (0x120, 0x21)]);
    let info = rig.host.ready.unwrap();
    assert_eq!(info.num_inp_ch_bufs, 12);
    assert_eq!(info.label_bytes(), b"SIM-FW 1");
    assert_eq!(rig.engine.credits(), (12, 0, 12));
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}

#[test]
fn startup_commands_are_mib_then_configuration_one_at_a_time() {
    let mut rig = Rig::new(Policy::default());
    let sdd = [0xC0u8, 2, 1, 2, 0xFE, 0];
    let cfg = StartConfig {
        mode: bes2600_engine::FwMode::Signal,
        macs: [[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]],
        max_tx_msdu_lifetime: 0,
        max_rx_lifetime: 0,
        rts_threshold: 0,
        sdd: &sdd,
    };
    rig.engine.start(&cfg, 0).unwrap();
    for _ in 0..5 {
        let out = rig.step();
        if rig.engine.phase() == Phase::WaitStartup {
            break;
        }
        rig.now = out.next_deadline_ns.unwrap();
    }
    assert_eq!(rig.engine.phase(), Phase::WaitStartup);
    let ind = rig.chip.startup_ind(8);
    rig.chip.push_burst(&[ind]);
    rig.settle(50);
    assert_eq!(rig.engine.phase(), Phase::Running);
    let ids: Vec<u16> = rig
        .chip
        .writes
        .iter()
        .map(|w| {
            assert_eq!(w.msgs.len(), 1, "commands go alone");
            u16::from_le_bytes([w.msgs[0][2], w.msgs[0][3]])
        })
        .collect();
    // if_id in bits 6-9, seq in 13-15 (0..3 in the LMAC space).
    assert_eq!(ids, vec![0x0006, 0x2046, 0x4009, 0x6049]);
    let mib = &rig.chip.writes[0].msgs[0];
    assert_eq!(&mib[4..12], &[0x24, 0x10, 4, 0, 1, 0, 0, 0]);
    let conf = &rig.chip.writes[3].msgs[0];
    assert_eq!(conf.len(), 4 + 24 + sdd.len());
    assert_eq!(
        u16::from_le_bytes([conf[16], conf[17]]),
        sdd.len() as u16 + 12
    );
    assert_eq!(&conf[20..26], &[2, 0, 0, 0, 0, 2]);
    assert_eq!(&conf[28..], &sdd);
}

#[test]
fn no_startup_indication_within_10s_is_a_firmware_hang() {
    let mut rig = Rig::new(Policy::default());
    let cfg = StartConfig {
        mode: bes2600_engine::FwMode::Signal,
        macs: [[0; 6]; 2],
        max_tx_msdu_lifetime: 0,
        max_rx_lifetime: 0,
        rts_threshold: 0,
        sdd: &[],
    };
    rig.engine.start(&cfg, 0).unwrap();
    let mut out = rig.step();
    while rig.engine.phase() != Phase::Down {
        rig.now = out
            .next_deadline_ns
            .expect("a timer is armed while starting");
        out = rig.step();
        assert!(rig.now <= 11 * SEC);
    }
    assert!(rig.now >= 10 * SEC);
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::ResetAndReload {
            cause: RecoveryCause::FwHang
        }]
    );
}

#[test]
fn mcu_ready_poll_is_bounded() {
    let mut rig = Rig::new(Policy {
        mcu_ready_polls: 5,
        ..Policy::default()
    });
    rig.chip.status = 0;
    let cfg = StartConfig {
        mode: bes2600_engine::FwMode::Signal,
        macs: [[0; 6]; 2],
        max_tx_msdu_lifetime: 0,
        max_rx_lifetime: 0,
        rts_threshold: 0,
        sdd: &[],
    };
    rig.engine.start(&cfg, 0).unwrap();
    let mut passes = 0;
    while rig.engine.phase() != Phase::Down {
        let out = rig.step();
        passes += 1;
        assert!(passes <= 5);
        if let Some(t) = out.next_deadline_ns {
            rig.now = t;
        }
    }
    assert_eq!(passes, 5);
    assert!(
        rig.chip.host_int.is_empty(),
        "no doorbell without MCU_READY"
    );
}

#[test]
fn deactivate_clears_wifi_ready_and_restarts_toggles() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    rig.engine.stop(&mut rig.host);
    rig.chip.host_int.clear();
    let mut slept = 0u64;
    let ok = rig
        .engine
        .deactivate(&mut rig.chip, |ns| slept += ns)
        .unwrap();
    assert!(ok);
    // High byte first, then DOORBELL | WIFI_DEACTIVATE; one 25 ms wait (spec §1.9).
    assert_eq!(rig.chip.host_int, vec![(0x121, 0x00), (0x120, 0x11)]);
    assert_eq!(slept, 25 * MS);
    assert_eq!(rig.chip.status & 0x04, 0);
}

#[test]
fn deactivate_gives_up_after_200_tries_without_failing() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    rig.engine.stop(&mut rig.host);
    rig.chip.ignore_deactivate = true;
    rig.chip.host_int.clear();
    let ok = rig.engine.deactivate(&mut rig.chip, |_| {}).unwrap();
    assert!(!ok);
    assert_eq!(rig.chip.host_int.len(), 400);
}

/// Issue 14 / spec errata 12: with no SDD file from the caller, both Configurations carry
/// the engine's static SDD (832 bytes, a well-formed element stream), the same station MAC
/// as given, and the message fits one firmware input buffer and one 1024-byte TX slot.
#[test]
fn issue_14_configuration_carries_the_static_sdd() {
    use bes2600_wire::wsm::sdd;
    let mut rig = Rig::new(Policy::default());
    let mac = [2, 0x11, 0x22, 0x33, 0x44, 0x55];
    let cfg = StartConfig {
        mode: bes2600_engine::FwMode::Signal,
        macs: [mac, mac],
        max_tx_msdu_lifetime: 0,
        max_rx_lifetime: 0,
        rts_threshold: 0,
        sdd: &[],
    };
    rig.engine.start(&cfg, 0).unwrap();
    for _ in 0..5 {
        let out = rig.step();
        if rig.engine.phase() == Phase::WaitStartup {
            break;
        }
        rig.now = out.next_deadline_ns.unwrap();
    }
    let ind = rig.chip.startup_ind(8);
    rig.chip.push_burst(&[ind]);
    rig.settle(50);
    assert_eq!(rig.engine.phase(), Phase::Running);
    let confs: Vec<&Vec<u8>> = rig
        .chip
        .writes
        .iter()
        .map(|w| &w.msgs[0])
        .filter(|m| u16::from_le_bytes([m[2], m[3]]) & 0x3F == 0x09)
        .collect();
    assert_eq!(confs.len(), 2);
    for (if_id, conf) in confs.iter().enumerate() {
        let id = u16::from_le_bytes([conf[2], conf[3]]);
        assert_eq!(usize::from((id >> 6) & 0xF), if_id);
        assert_eq!(conf.len(), 4 + 24 + bes2600_engine::sdd::SDD_LEN);
        assert_eq!(&conf[8..16], &[0; 8], "lifetimes and RTS 0 as C sends them");
        assert_eq!(&conf[20..26], &mac);
        let s = sdd::check(&conf[28..]).expect("a well-formed SDD");
        assert_eq!(s.sections, 3);
        // The firmware's input buffer in the startup indication of this rig.
        let size = rig.engine.startup_info().unwrap().size_inp_ch_buf;
        assert!(conf.len() <= usize::from(size));
    }
    // 860 bytes plus the 4-byte timestamp trailer: one 1024-byte slot, two blocks.
    let w = rig
        .chip
        .writes
        .iter()
        .find(|w| u16::from_le_bytes([w.msgs[0][2], w.msgs[0][3]]) & 0x3F == 0x09)
        .unwrap();
    assert_eq!(w.bytes, 1024);
}
