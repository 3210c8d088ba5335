//! Association state (issue 16 §3), engine + simulated firmware: the plan the engine builds for
//! `bss_info_changed(ASSOC)` and `conf_tx` reaches the firmware, which keeps the AID, EDCA,
//! slot time and templates it was told, and counts requests that break the vendor driver's
//! order (set-BSS-params before a join).

mod common;
use common::*;

use bes2600_engine::mac::bss::{changed, AssocState, BssConf};
use bes2600_engine::mac::edca::{EdcaState, TxQueueConf};
use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{SimConfig, TrafficConfig};
use bes2600_wire::wsm::common::Band;

fn rig(seed: u64) -> Harness {
    streaming_with(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig::SEED_4MBPS,
            seed,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    })
}

fn conf(aid: u16) -> BssConf {
    BssConf {
        assoc: true,
        aid,
        bssid: [0x02, 0xb5, 0x26, 0, 0, 1],
        addr: [0x02, 0, 0, 0, 0, 2],
        band: Band::Band2G4,
        beacon_int: 100,
        dtim_period: 3,
        use_short_slot: true,
        basic_rates: 0xF,
        ap_rates: Some(0xFFF),
        ..BssConf::default()
    }
}

/// Submits every command of `cmds`, running the rig until each is confirmed.
fn send(h: &mut Harness, cmds: impl IntoIterator<Item = bes2600_engine::mac::bss::Cmd>) {
    for c in cmds {
        h.engine.submit_bss_cmd(0, 0, &c).expect("queued");
        h.run_for(20 * MS);
    }
}

#[test]
fn the_association_plan_lands_in_the_firmware_in_order() {
    let mut h = rig(3);
    let mut st = AssocState::new();
    let plan = st.plan(&conf(1), changed::ASSOC | changed::BSSID);
    send(&mut h, plan.iter().copied());
    let mut edca = EdcaState::new();
    let be = TxQueueConf {
        aifs: 4,
        cw_min: 31,
        cw_max: 1023,
        txop: 0,
        uapsd: false,
    };
    let c = edca.conf_tx(2, &be).unwrap();
    h.engine.set_tx_queue_params(0, 0, &c.queue).unwrap();
    h.engine.set_edca_params(0, 0, &c.edca).unwrap();
    h.run_for(50 * MS);
    let fw = *h.sim.fw_bss();
    assert!(fw.joined);
    assert_eq!(fw.aid, 1);
    assert_eq!(fw.beacon_lost_count, 50);
    assert_eq!(fw.wake_beacons, 3, "DTIM 3 x 100 TU < 1 s: wake every DTIM");
    assert_eq!(fw.slot_us, 9);
    assert_eq!(fw.keep_alive_s, 15);
    assert!(fw.null_template);
    assert!(fw.assoc_mode.is_some());
    assert_eq!(fw.order_violations, 0);
    let q = fw.edca.expect("EDCA received")[2];
    assert_eq!((q.aifsn, q.cw_min, q.cw_max), (4, 31, 1023));
    assert_eq!(fw.tx_queues, 1 << 0, "BE is WMM ACI 0");
    // The stream still flows: nothing of this disturbed the link.
    assert!(receive_more(&mut h, 1_000, 5 * SEC));
    let mut out = String::new();
    fw.render(&mut out).unwrap();
    assert!(out.contains("fw_aid 1\n"), "{out}");
    assert!(
        out.contains("fw_edca_be aifs=4 cwmin=31 cwmax=1023 txop_us=0\n"),
        "{out}"
    );
    assert_accounted(&h);
}

#[test]
fn bss_params_before_the_join_is_an_order_violation() {
    use bes2600_engine::mac::bss::Cmd;
    use bes2600_wire::wsm::assoc::AssocMib;
    let mut h = Harness::new(HarnessConfig::default());
    // The harness's station scans and joins ~60 ms after the firmware is up: the requests
    // go out in that window, before any join.
    assert!(h.run_until_cond(2 * SEC, |h| h.engine.phase()
        == bes2600_engine::Phase::Running));
    let mut st = AssocState::new();
    let plan = st.plan(&conf(1), changed::ASSOC);
    let early: Vec<Cmd> = plan
        .iter()
        .copied()
        .filter(|c| {
            matches!(
                c,
                Cmd::BssParams(_)
                    | Cmd::NullTemplate { .. }
                    | Cmd::Mib(AssocMib::AssociationMode(_))
            )
        })
        .collect();
    assert_eq!(early.len(), 3);
    for c in &early {
        h.engine.submit_bss_cmd(0, 0, c).expect("queued");
    }
    h.run_for(10 * MS);
    let fw = *h.sim.fw_bss();
    assert!(!fw.joined);
    assert_eq!(fw.aid, 1);
    // set-BSS-params, the association mode and the null template: three rules broken.
    assert_eq!(fw.order_violations, 3);
}
