//! Association state in the firmware (issue 16 §3): a `bss_info_changed` produces exactly the
//! vendor driver's request sequence (`C:ap.c:390-1132`), `conf_tx` its EDCA requests in C's
//! byte order (`C:sta.c:802-858`, `C:wsm.c:846-891`), `set_rts_threshold` its MIB
//! (`C:sta.c:1142-1170`), and a new vif address a Configuration with it. Every command goes
//! through the engine onto the mock bus and is parsed back with the wire crate.

mod common;

use bes2600_engine::mac::bss::{
    changed, null_frame, rssi_to_rcpi, AssocState, BssConf, Cmd, HtInfo, BA_TID_MASK,
    BEACON_LOST_COUNT, PLAN_MAX,
};
use bes2600_engine::mac::edca::{EdcaState, TxQueueConf};
use bes2600_engine::Policy;
use bes2600_wire::wsm::assoc::{assoc_flags, rcpi_mode, AssocMib, WriteAssocMib};
use bes2600_wire::wsm::common::Band;
use bes2600_wire::wsm::config::ConfigReq;
use bes2600_wire::wsm::join::BssParams;
use bes2600_wire::wsm::mib::{id, Mib, WriteMib};
use bes2600_wire::wsm::queue::{EdcaParams, TxQueueParams};
use bes2600_wire::wsm::tx::Queue;
use bes2600_wire::wsm::{self, Message};
use common::Rig;

const BSSID: [u8; 6] = [0x02, 0, 0, 0, 0, 0xAA];
const ADDR: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];

fn ht_conf() -> BssConf {
    BssConf {
        assoc: true,
        aid: 1,
        bssid: BSSID,
        addr: ADDR,
        band: Band::Band2G4,
        beacon_int: 100,
        dtim_period: 2,
        use_short_preamble: true,
        use_short_slot: true,
        // 1, 2, 5.5, 11 Mb/s basic; every 2.4 GHz rate supported.
        basic_rates: 0x00F,
        ap_rates: Some(0xFFF),
        ht: Some(HtInfo {
            greenfield_cap: false,
            ampdu_density: 5,
            operation_mode: 0,
            rx_mcs0: 0xFF,
        }),
        ..BssConf::default()
    }
}

/// Submits the commands through a running engine and returns the requests as written to
/// the bus: (message id, if_id, body).
fn on_bus(rig: &mut Rig, cmds: &[Cmd]) -> Vec<(u16, u8, Vec<u8>)> {
    for (i, c) in cmds.iter().enumerate() {
        rig.engine.submit_bss_cmd(0, 100 + i as u32, c).unwrap();
        rig.settle(20);
    }
    requests(rig)
}

fn requests(rig: &mut Rig) -> Vec<(u16, u8, Vec<u8>)> {
    let out = rig
        .chip
        .writes
        .iter()
        .flat_map(|w| w.msgs.iter())
        .map(|m| {
            let (id, body) = wsm::split(m).unwrap();
            (id.msg_id(), id.if_id(), body.to_vec())
        })
        .collect();
    rig.chip.writes.clear();
    out
}

/// The label of a request on the bus: the MIB id for a write-MIB, else the message id.
fn label(req: &(u16, u8, Vec<u8>)) -> u16 {
    if req.0 == 0x0006 {
        u16::from_le_bytes([req.2[0], req.2[1]])
    } else {
        req.0
    }
}

#[test]
fn association_sends_c_sequence_in_order() {
    let mut st = AssocState::new();
    let plan = st.plan(&ht_conf(), changed::ASSOC | changed::BSSID);
    let cmds: Vec<Cmd> = plan.iter().copied().collect();
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let reqs = on_bus(&mut rig, &cmds);
    let labels: Vec<u16> = reqs.iter().map(label).collect();
    // C:sta.c:2740 (BSSID), then C:ap.c:689, 805, 808, 810, 813-816, 820-821, 838, 895, 944.
    assert_eq!(
        labels,
        [
            id::RCPI_RSSI_THRESHOLD,
            id::SET_HT_PROTECTION,
            id::SET_ASSOCIATION_MODE,
            id::KEEP_ALIVE_PERIOD,
            0x0011,
            id::BEACON_WAKEUP_PERIOD,
            id::BLOCK_ACK_POLICY,
            id::TEMPLATE_FRAME,
            id::SLOT_TIME,
            id::RCPI_RSSI_THRESHOLD,
        ]
    );
    assert!(reqs.iter().all(|r| r.1 == 0), "all on interface 0");
    // The values, parsed back from the bus.
    let bss = BssParams::parse(&reqs[4].2).unwrap();
    assert_eq!(bss.aid, 1);
    assert_eq!(bss.beacon_lost_count, BEACON_LOST_COUNT);
    assert_eq!(bss.ht_rx_mcs_mask, 0xFF);
    assert_eq!(bss.operational_rate_set & 0xF, 0xF, "CCK rates operational");
    let WriteAssocMib(AssocMib::AssociationMode(am)) = WriteAssocMib::parse(&reqs[2].2).unwrap()
    else {
        panic!("association mode")
    };
    assert_eq!(am.flags, assoc_flags::ALL);
    assert_eq!(
        (am.preamble, am.greenfield, am.mpdu_start_spacing),
        (1, 0, 5)
    );
    assert_eq!(am.basic_rate_set, 0xF);
    match WriteMib::parse(&reqs[5].2).unwrap().mib {
        // 100 TU x DTIM 2 = 200 ms < 1000 ms: wake every DTIM.
        Mib::BeaconWakeUpPeriod {
            num_beacon_periods,
            listen_interval,
        } => assert_eq!((num_beacon_periods, listen_interval), (2, 0)),
        m => panic!("{m:?}"),
    }
    assert_eq!(
        WriteMib::parse(&reqs[6].2).unwrap().mib,
        Mib::BlockAckPolicy {
            tx_tid_mask: BA_TID_MASK,
            rx_tid_mask: BA_TID_MASK
        }
    );
    match WriteAssocMib::parse(&reqs[7].2).unwrap().0 {
        AssocMib::TemplateFrame {
            frame_type, frame, ..
        } => {
            assert_eq!(frame_type, 3);
            assert_eq!(frame, &null_frame(&BSSID, &ADDR)[..]);
            assert_eq!(&frame[10..16], &ADDR, "A2 is the vif address");
        }
        m => panic!("{m:?}"),
    }
    assert_eq!(
        WriteAssocMib::parse(&reqs[8].2).unwrap().0,
        AssocMib::SlotTime(9)
    );
    assert_eq!(st.bss_params.map(|b| b.aid), Some(1));
}

#[test]
fn legacy_link_without_ap_entry_sends_no_ht_protection_or_block_ack() {
    let mut st = AssocState::new();
    let conf = BssConf {
        ap_rates: None,
        ht: None,
        use_short_slot: false,
        ..ht_conf()
    };
    let plan = st.plan(&conf, changed::ASSOC);
    let labels: Vec<u16> = plan.iter().map(Cmd::label).collect();
    assert_eq!(
        labels,
        [
            id::SET_ASSOCIATION_MODE,
            id::KEEP_ALIVE_PERIOD,
            0x0011,
            id::BEACON_WAKEUP_PERIOD,
            id::TEMPLATE_FRAME,
            id::SLOT_TIME,
            id::RCPI_RSSI_THRESHOLD,
        ]
    );
    let bss = plan
        .iter()
        .find_map(|c| match c {
            Cmd::BssParams(b) => Some(*b),
            _ => None,
        })
        .unwrap();
    // No station entry: every rate operational (C:ap.c:700).
    assert_eq!(bss.operational_rate_set, u32::MAX);
    assert!(plan.iter().any(|c| *c == Cmd::Mib(AssocMib::SlotTime(20))));
}

#[test]
fn long_dtim_interval_wakes_every_beacon() {
    let mut st = AssocState::new();
    let conf = BssConf {
        beacon_int: 300,
        dtim_period: 4,
        ..ht_conf()
    };
    let plan = st.plan(&conf, changed::ASSOC);
    let wake = plan.iter().find_map(|c| match c {
        Cmd::StdMib(Mib::BeaconWakeUpPeriod {
            num_beacon_periods, ..
        }) => Some(*num_beacon_periods),
        _ => None,
    });
    // 300 TU x 4 > MAX_BEACON_SKIP_TIME_MS (C:ap.c:811-813).
    assert_eq!(wake, Some(1));
}

#[test]
fn disassociation_clears_state_and_sends_only_slot_and_cqm() {
    let mut st = AssocState::new();
    st.plan(&ht_conf(), changed::ASSOC);
    let conf = BssConf {
        assoc: false,
        aid: 0,
        ..ht_conf()
    };
    let plan = st.plan(&conf, changed::ASSOC);
    let labels: Vec<u16> = plan.iter().map(Cmd::label).collect();
    assert_eq!(labels, [id::SLOT_TIME, id::RCPI_RSSI_THRESHOLD]);
    assert_eq!(st, AssocState::new());
}

#[test]
fn erp_slot_change_resends_the_association_group_then_slot() {
    let mut st = AssocState::new();
    st.plan(&ht_conf(), changed::ASSOC);
    let conf = BssConf {
        use_short_slot: false,
        ..ht_conf()
    };
    let plan = st.plan(&conf, changed::ERP_SLOT);
    let labels: Vec<u16> = plan.iter().map(Cmd::label).collect();
    assert_eq!(labels.first(), Some(&id::SET_HT_PROTECTION));
    assert_eq!(labels.last(), Some(&id::SLOT_TIME));
    assert!(!labels.contains(&id::RCPI_RSSI_THRESHOLD), "CQM unchanged");
    // CTS protection and beacon interval alone change nothing for a station (AP paths).
    assert!(st
        .plan(&conf, changed::ERP_CTS_PROT | changed::BEACON_INT)
        .is_empty());
}

#[test]
fn cqm_threshold_in_rcpi_and_arp_filter() {
    let mut st = AssocState::new();
    let conf = BssConf {
        cqm_rssi_thold: -70,
        cqm_rssi_hyst: 4,
        arp_addr: [10, 0, 0, 2],
        arp_count: 1,
        ..ht_conf()
    };
    let plan = st.plan(&conf, changed::CQM | changed::ARP_FILTER);
    let cmds: Vec<Cmd> = plan.iter().copied().collect();
    assert_eq!(
        cmds[0],
        Cmd::Mib(AssocMib::ArpIpv4Filter {
            enable: 3,
            addr: [10, 0, 0, 2]
        })
    );
    let Cmd::Mib(AssocMib::RcpiRssiThreshold(t)) = cmds[1] else {
        panic!("{:?}", cmds[1])
    };
    // RCPI = (RSSI + 110) * 2 (C:ap.c:929-934).
    assert_eq!((t.lower, t.upper), (80, 88));
    assert_eq!(t.mode, rcpi_mode::ENABLE);
    assert_eq!(rssi_to_rcpi(-200), 0);
    assert_eq!(rssi_to_rcpi(50), 255);
    // Two addresses do not fit the firmware's one-entry table: filter off.
    let two = BssConf {
        arp_count: 2,
        ..conf
    };
    let p = st.plan(&two, changed::ARP_FILTER);
    assert_eq!(
        p.iter().next(),
        Some(&Cmd::Mib(AssocMib::ArpIpv4Filter {
            enable: 0,
            addr: [0; 4]
        }))
    );
}

#[test]
fn the_longest_plan_fits() {
    let mut st = AssocState::new();
    let all = u32::MAX;
    let conf = BssConf {
        arp_count: 1,
        ..ht_conf()
    };
    let plan = st.plan(&conf, all);
    assert_eq!(plan.len(), 11);
    assert!(plan.len() <= PLAN_MAX);
}

#[test]
fn conf_tx_sends_queue_edca_uapsd_in_c_byte_order() {
    let mut edca = EdcaState::new();
    // hostapd's default WMM parameters for a station (mac80211 queues VO, VI, BE, BK).
    let wmm = [
        (2u8, 3u16, 7u16, 47u16),
        (2, 7, 15, 94),
        (3, 15, 1023, 0),
        (7, 15, 1023, 0),
    ];
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let mut last = None;
    for (q, (aifs, cw_min, cw_max, txop)) in wmm.iter().enumerate() {
        let p = TxQueueConf {
            aifs: *aifs,
            cw_min: *cw_min,
            cw_max: *cw_max,
            txop: *txop,
            uapsd: q == 0,
        };
        let c = edca.conf_tx(q as u16, &p).unwrap();
        rig.engine.set_tx_queue_params(0, 1, &c.queue).unwrap();
        rig.engine.set_edca_params(0, 2, &c.edca).unwrap();
        rig.engine
            .submit_msg(&WriteAssocMib(c.uapsd), 0, 3)
            .unwrap();
        rig.settle(20);
        let reqs = requests(&mut rig);
        let ids: Vec<u16> = reqs.iter().map(|r| r.0).collect();
        assert_eq!(ids, [0x0012, 0x0013, 0x0006]);
        let tq = TxQueueParams::parse(&reqs[0].2).unwrap();
        // mac80211 queue → WMM ACI 3, 2, 0, 1 (C:wsm.c:822).
        assert_eq!(tq.queue as u8, [3, 2, 0, 1][q]);
        assert_eq!(Queue::from_mac80211(q as u16), Some(tq.queue));
        last = Some(reqs);
    }
    let reqs = last.unwrap();
    let b = &reqs[1].2;
    // C writes each group from mac80211 queue 3 (BK) down to 0 (VO) (C:wsm.c:857-880).
    let cw_min: Vec<u16> = (0..4)
        .map(|i| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]))
        .collect();
    assert_eq!(cw_min, [15, 15, 7, 3]);
    assert_eq!(&b[16..20], &[7, 3, 2, 2], "AIFSN BK, BE, VI, VO");
    let txop: Vec<u16> = (0..4)
        .map(|i| u16::from_le_bytes([b[20 + 2 * i], b[21 + 2 * i]]))
        .collect();
    assert_eq!(txop, [0, 0, 94 * 32, 47 * 32], "TXOP in µs");
    assert_eq!(u32::from_le_bytes([b[28], b[29], b[30], b[31]]), 0xC8);
    assert_eq!(EdcaParams::parse(b).unwrap().params[0].aifsn, 2);
    // U-APSD on VO only: bit 3 (C:sta.c:2514-2527).
    assert_eq!(
        WriteAssocMib::parse(&reqs[2].2).unwrap().0,
        AssocMib::UapsdInfo(bes2600_wire::wsm::assoc::UapsdInfo {
            flags: 1 << 3,
            ..Default::default()
        })
    );
    assert!(edca.conf_tx(4, &TxQueueConf::default()).is_err());
}

#[test]
fn rts_threshold_is_sent_once_per_value_and_disabled_as_zero() {
    let mut edca = EdcaState::new();
    assert_eq!(
        edca.set_rts_threshold(500),
        Some(AssocMib::RtsThreshold(500))
    );
    assert_eq!(edca.set_rts_threshold(500), None);
    assert_eq!(
        edca.set_rts_threshold(u32::MAX),
        Some(AssocMib::RtsThreshold(0))
    );
    edca.forget();
    assert_eq!(
        edca.set_rts_threshold(u32::MAX),
        Some(AssocMib::RtsThreshold(0))
    );
}

#[test]
fn a_new_vif_address_is_configured_with_the_startup_sdd() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let mac = [0x06, 0x11, 0x22, 0x33, 0x44, 0x55];
    rig.engine.set_station_mac(0, 7, mac).unwrap();
    rig.settle(20);
    let reqs = requests(&mut rig);
    assert_eq!(reqs.len(), 1);
    assert_eq!((reqs[0].0, reqs[0].1), (0x0009, 0));
    let c = ConfigReq::parse(&reqs[0].2).unwrap();
    assert_eq!(c.mac, mac);
    // The SDD Rig::start gave at start-up.
    assert_eq!(c.sdd, &[0xC0, 2, 1, 2]);
}

#[test]
fn scan_while_joined_is_background_with_every_ssid_after_the_template() {
    use bes2600_engine::mac::bss::{probe_template_mib, scan_request};
    use bes2600_engine::mac::scan::ScanParams;
    use bes2600_wire::wsm::common::Ssid;
    use bes2600_wire::wsm::scan::{ScanType, StartScan, SCAN_FLAG_FORCE_BACKGROUND};

    // A probe request as mac80211 builds it: header, empty SSID, supported rates, an IE.
    let mut t = vec![0x40u8, 0, 0, 0];
    t.extend_from_slice(&[0xFF; 6]);
    t.extend_from_slice(&ADDR);
    t.extend_from_slice(&[0xFF; 6]);
    t.extend_from_slice(&[
        0, 0, 0, 0, 1, 4, 0x82, 0x84, 0x8B, 0x96, 0x2D, 2, 0xAA, 0xBB,
    ]);
    let n = t.len();
    let ssids = [Ssid::new(b"first").unwrap(), Ssid::new(b"second").unwrap()];
    let params = ScanParams::new([2412u32, 2437], b"first");
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.engine
        .submit_msg(&WriteAssocMib(probe_template_mib(&t[..n])), 0, 1)
        .unwrap();
    for joined in [false, true] {
        params.with_request(|base| {
            let r = scan_request(base, joined, &ssids);
            rig.engine.submit_msg(&r, 0, 2).unwrap();
        });
    }
    rig.settle(20);
    let reqs = requests(&mut rig);
    assert_eq!(
        reqs.iter().map(|r| r.0).collect::<Vec<_>>(),
        [0x0006, 0x0007, 0x0007]
    );
    match WriteAssocMib::parse(&reqs[0].2).unwrap().0 {
        AssocMib::TemplateFrame {
            frame_type, frame, ..
        } => assert_eq!((frame_type, frame), (0, &t[..n])),
        m => panic!("{m:?}"),
    }
    let fg = StartScan::parse(&reqs[1].2).unwrap();
    assert_eq!(
        (fg.scan_type, fg.flags & SCAN_FLAG_FORCE_BACKGROUND),
        (ScanType::Foreground, 0)
    );
    let bg = StartScan::parse(&reqs[2].2).unwrap();
    assert_eq!(bg.scan_type, ScanType::Background);
    assert_ne!(bg.flags & SCAN_FLAG_FORCE_BACKGROUND, 0);
    let got: Vec<Vec<u8>> = bg.ssids.iter().map(|s| s.as_bytes().to_vec()).collect();
    assert_eq!(got, [b"first".to_vec(), b"second".to_vec()]);
    assert_eq!(bg.channels.len(), 2);
}
