// SPDX-License-Identifier: GPL-2.0-only
//! Property tests: `parse(emit(r)) == r` for every `Repr` (STYLE §1.6), through the full
//! WSM framing, plus burst-split and TX-pack round trips.

use bes2600_wire::bootrom::Frame;
use bes2600_wire::calib::{CalibRecord, Crc32};
use bes2600_wire::list::List;
use bes2600_wire::sdio::{
    round_up_blocks, Burst, TxConfig, TxPacker, TxSlots, MAX_RX_BUF, MAX_TX_BUF,
};
use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::config::{ConfigCnf, ConfigReq, TxPowerRange};
use bes2600_wire::wsm::event::EventInd;
use bes2600_wire::wsm::join::{BssParams, JoinCnf, JoinReq};
use bes2600_wire::wsm::key::{AddKey, Key, RemoveKey, WepKey};
use bes2600_wire::wsm::mcu::{McuReply, RfCmd};
use bes2600_wire::wsm::mib::{
    id, BeaconFilterEntry, Mib, PowerMode, PowerModeKind, ReadMib, ReadMibCnf, WriteMib,
};
use bes2600_wire::wsm::misc::{Exception, MapLink, Reset};
use bes2600_wire::wsm::pm::{SetPm, SetPmInd};
use bes2600_wire::wsm::queue::{EdcaParams, EdcaQueue, TxQueueParams};
use bes2600_wire::wsm::rate::{RatePolicy, RateTries};
use bes2600_wire::wsm::rx::{RxFlags, RxInd};
use bes2600_wire::wsm::scan::{ScanChannel, ScanComplete, StartScan, StopScan};
use bes2600_wire::wsm::startup::{FwType, StartupInd};
use bes2600_wire::wsm::status::GenericCnf;
use bes2600_wire::wsm::tx::{MultiTxCnf, PacketId, Queue, TxCnf, TxCnfFlags, TxFlags, TxReq};
use bes2600_wire::wsm::{self, Id, Message, Status};
use bes2600_wire::{align4, Error};
use proptest::prelude::*;
use std::fmt::Debug;

/// Emits `r` as a whole message, splits it again and parses the body.
fn check<'a, M: Message<'a> + PartialEq + Debug>(
    r: &M,
    buf: &'a mut Vec<u8>,
) -> Result<(), TestCaseError> {
    buf.clear();
    buf.resize(wsm::HEADER_LEN + r.buffer_len(), 0xa5);
    let n = wsm::emit(r, 1, buf).map_err(|e| TestCaseError::fail(format!("emit: {e}")))?;
    prop_assert_eq!(n, buf.len());
    let buf: &'a Vec<u8> = buf;
    let (id, body) = wsm::split(buf).map_err(|e| TestCaseError::fail(format!("split: {e}")))?;
    prop_assert_eq!(id.msg_id(), M::ID);
    prop_assert_eq!(id.if_id(), 1);
    let p = M::parse(body);
    prop_assert_eq!(p.as_ref(), Ok(r));
    Ok(())
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=max)
}

fn ssid() -> impl Strategy<Value = Ssid> {
    bytes(32).prop_map(|b| Ssid::new(&b).unwrap())
}

fn status() -> impl Strategy<Value = Status> {
    any::<u32>().prop_map(Status::from)
}

fn tx_cnf() -> impl Strategy<Value = TxCnf> {
    (
        any::<u32>(),
        status(),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(
            |(p, status, txed_rate, ack_failures, f, media_delay, tx_queue_delay)| TxCnf {
                packet_id: PacketId(p),
                status,
                txed_rate,
                ack_failures,
                flags: TxCnfFlags(f),
                media_delay,
                tx_queue_delay,
            },
        )
}

fn key() -> impl Strategy<Value = Key> {
    let k = any::<[u8; 16]>();
    let m8 = any::<[u8; 8]>();
    let mac = any::<[u8; 6]>();
    let wep = || bytes(16).prop_map(|b| WepKey::new(&b).unwrap());
    prop_oneof![
        (any::<u8>(), wep()).prop_map(|(key_id, key)| Key::WepDefault { key_id, key }),
        (mac, wep()).prop_map(|(peer, key)| Key::WepPairwise { peer, key }),
        (k, m8, any::<u8>(), m8).prop_map(|(key, rx_mic, key_id, rx_seq)| Key::TkipGroup {
            key,
            rx_mic,
            key_id,
            rx_seq
        }),
        (mac, k, m8, m8).prop_map(|(peer, key, rx_mic, tx_mic)| Key::TkipPairwise {
            peer,
            key,
            rx_mic,
            tx_mic
        }),
        (k, any::<u8>(), m8).prop_map(|(key, key_id, rx_seq)| Key::AesGroup {
            key,
            key_id,
            rx_seq
        }),
        (mac, k).prop_map(|(peer, key)| Key::AesPairwise { peer, key }),
        (k, k, any::<u8>()).prop_map(|(key, mic, key_id)| Key::WapiGroup { key, mic, key_id }),
        (mac, any::<u8>(), k, k).prop_map(|(peer, key_id, key, mic)| Key::WapiPairwise {
            peer,
            key_id,
            key,
            mic
        }),
        (k, any::<u8>(), m8).prop_map(|(key, key_id, ipn)| Key::IgtkGroup { key, key_id, ipn }),
    ]
}

fn rate_policy() -> impl Strategy<Value = RatePolicy> {
    (
        0u8..8,
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<[u32; 3]>(),
    )
        .prop_map(
            |(index, short_retry, long_retry, flags, rate_recovery_count, t)| RatePolicy {
                index,
                short_retry,
                long_retry,
                flags,
                rate_recovery_count,
                tries: RateTries(t),
            },
        )
}

fn bf_entry() -> impl Strategy<Value = BeaconFilterEntry> {
    (any::<u8>(), any::<u8>(), any::<[u8; 3]>(), any::<[u8; 3]>()).prop_map(
        |(ie_id, action_flags, oui, match_data)| BeaconFilterEntry {
            ie_id,
            action_flags,
            oui,
            match_data,
        },
    )
}

/// The typed MIB ids, which `Mib::Raw` must not use.
const TYPED: [u16; 11] = [
    id::RX_FILTER,
    id::BEACON_FILTER_TABLE,
    id::BEACON_FILTER_ENABLE,
    id::OPERATIONAL_POWER_MODE,
    id::BEACON_WAKEUP_PERIOD,
    id::BLOCK_ACK_POLICY,
    id::SET_TX_RATE_RETRY_POLICY,
    id::PROTECTED_MGMT_POLICY,
    id::USE_MULTI_TX_CONF,
    id::KEEP_ALIVE_PERIOD,
    id::DISABLE_BSSID_FILTER,
];

struct Crc;
impl Crc32 for Crc {
    fn crc32(&self, data: &[u8]) -> u32 {
        crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(data)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn startup(v in prop::collection::vec(any::<u16>(), 8), t in 0u16..=4, label in prop::collection::vec(any::<u8>(), 128)) {
        let r = StartupInd {
            num_inp_ch_bufs: v[0], size_inp_ch_buf: v[1], hw_id: v[2], hw_sub_id: v[3], fw_cap: v[4],
            fw_type: FwType::from(t), fw_api_ver: v[5], fw_build: v[6], fw_version: v[7],
            label: label.try_into().unwrap(),
        };
        check(&r, &mut Vec::new())?;
    }

    #[test]
    fn config(a in any::<[u32; 3]>(), mac in any::<[u8; 6]>(), d in any::<[u16; 2]>(), sdd in bytes(900)) {
        let r = ConfigReq { max_tx_msdu_lifetime: a[0], max_rx_lifetime: a[1], rts_threshold: a[2], dpd_version: d[0], mac, dpd_flags: d[1], sdd: &sdd };
        check(&r, &mut Vec::new())?;
    }

    #[test]
    fn config_cnf(s in status(), mac in any::<[u8; 6]>(), bands in any::<u8>(), m in any::<u32>(), p in any::<[u32; 6]>()) {
        let r = ConfigCnf { status: s, mac, bands, supported_rate_mask: m, tx_power: [
            TxPowerRange { min: p[0], max: p[1], step: p[2] }, TxPowerRange { min: p[3], max: p[4], step: p[5] }] };
        check(&r, &mut Vec::new())?;
    }

    #[test]
    fn join(b in any::<[u8; 8]>(), ch in any::<u16>(), bssid in any::<[u8; 6]>(), atim in any::<u16>(), s in ssid(), bi in any::<u32>(), br in any::<u32>()) {
        let r = JoinReq {
            mode: b[0].into(), band: b[1].into(), channel: ch, bssid, atim_window: atim, preamble: b[2].into(),
            probe_for_join: b[3], dtim_period: b[4], flags: b[5], ssid: s, beacon_interval: bi, basic_rate_set: br,
        };
        check(&r, &mut Vec::new())?;
        check(&JoinCnf { status: Status::from(u32::from(b[6])), min_power: bi, max_power: br }, &mut Vec::new())?;
        check(&BssParams { beacon_lost_count: b[6], aid: atim, operational_rate_set: br, ht_rx_mcs_mask: b[7] }, &mut Vec::new())?;
    }

    #[test]
    fn keys(entry_index in any::<u8>(), key in key()) {
        check(&AddKey { entry_index, key }, &mut Vec::new())?;
        check(&RemoveKey { entry_index }, &mut Vec::new())?;
    }

    #[test]
    fn tx(p in any::<u32>(), b in any::<[u8; 5]>(), w in any::<[u32; 2]>(), frame in bytes(1600)) {
        let r = TxReq {
            packet_id: PacketId(p), max_tx_rate: b[0], queue: Queue::from_bits(b[1]), link_id: b[2] >> 2,
            more: b[3], flags: TxFlags(b[4]), expire_time: w[0], ht_tx_parameters: w[1], frame: &frame,
        };
        check(&r, &mut Vec::new())?;
    }

    #[test]
    fn tx_confirms(c in prop::collection::vec(tx_cnf(), 0..40)) {
        if let Some(first) = c.first() {
            check(first, &mut Vec::new())?;
        }
        check(&MultiTxCnf { confirms: List::from_items(&c) }, &mut Vec::new())?;
    }

    #[test]
    fn rx(s in status(), ch in any::<u16>(), b in any::<[u8; 2]>(), f in any::<u32>(), frame in bytes(1600)) {
        check(&RxInd { status: s, channel: ch, rxed_rate: b[0], rcpi: b[1], flags: RxFlags(f), frame: &frame }, &mut Vec::new())?;
    }

    #[test]
    fn scan(b in any::<[u8; 6]>(), i in any::<u32>(),
            ch in prop::collection::vec((any::<u16>(), any::<u32>(), any::<u32>()), 0..=48),
            ss in prop::collection::vec(ssid(), 0..=2)) {
        let chans: Vec<ScanChannel> = ch.iter().map(|&(number, min_time, max_time)| ScanChannel { number, min_time, max_time }).collect();
        let r = StartScan {
            band: Band::from(b[0]), scan_type: b[1].into(), flags: b[2], max_tx_rate: b[3], auto_scan_interval: i,
            num_probe_req: b[4], probe_delay: b[5], channels: List::from_items(&chans), ssids: List::from_items(&ss),
        };
        check(&r, &mut Vec::new())?;
        check(&StopScan, &mut Vec::new())?;
        check(&ScanComplete { status: Status::from(i), psm: b[0], num_channels: b[1] }, &mut Vec::new())?;
    }

    #[test]
    fn pm_queue_misc(b in any::<[u8; 8]>(), w in any::<u32>(), h in any::<u16>(), mac in any::<[u8; 6]>(),
                     e in prop::collection::vec((any::<u16>(), any::<u16>(), any::<u8>(), any::<u16>(), any::<u32>()), 4)) {
        check(&SetPm { mode: b[0].into(), fast_psm_idle_period: b[1], ap_psm_change_period: b[2], min_auto_ps_poll_period: b[3] }, &mut Vec::new())?;
        check(&SetPmInd { status: Status::from(w), psm: b[4] }, &mut Vec::new())?;
        check(&TxQueueParams { queue: Queue::from_bits(b[5]), ack_policy: b[6], max_tx_lifetime: w, allowed_medium_time: h }, &mut Vec::new())?;
        let q: Vec<EdcaQueue> = e.iter().map(|&(cw_min, cw_max, aifsn, txop, max_rx_lifetime)| EdcaQueue { cw_min, cw_max, aifsn, txop, max_rx_lifetime }).collect();
        check(&EdcaParams { params: [q[0], q[1], q[2], q[3]] }, &mut Vec::new())?;
        check(&Reset { keep_statistics: b[7] & 1 == 1 }, &mut Vec::new())?;
        check(&MapLink { mac, unmap: b[7] & 2 == 2, link_id: b[6] }, &mut Vec::new())?;
        check(&EventInd { id: w.into(), data: u32::from(h) }, &mut Vec::new())?;
    }

    #[test]
    fn exception(reason in any::<u32>(), regs in prop::collection::vec(any::<u32>(), 18), file in prop::collection::vec(any::<u8>(), 48)) {
        check(&Exception { reason, regs: regs.try_into().unwrap(), file: file.try_into().unwrap() }, &mut Vec::new())?;
    }

    #[test]
    fn mibs(w in any::<[u32; 2]>(), b in any::<[u8; 3]>(), h in any::<u16>(),
            pol in prop::collection::vec(rate_policy(), 0..=8),
            bf in prop::collection::vec(bf_entry(), 0..=10),
            raw_id in any::<u16>().prop_filter("untyped", |i| !TYPED.contains(i)), raw in bytes(64)) {
        let mibs = [
            Mib::RxFilter(w[0] & 0x1F),
            Mib::BeaconFilterTable(List::from_items(&bf)),
            Mib::BeaconFilterControl { flags: w[0], bcn_count: w[1] },
            Mib::OperationalPowerMode(PowerMode { mode: PowerModeKind::from(b[0] & 0xF), disable_more_flag: b[1] & 1 == 1, ant_diversity: b[1] & 2 == 2 }),
            Mib::BeaconWakeUpPeriod { num_beacon_periods: b[0], listen_interval: h },
            Mib::BlockAckPolicy { tx_tid_mask: b[1], rx_tid_mask: b[2] },
            Mib::TxRatePolicy(List::from_items(&pol)),
            Mib::ProtectedMgmtPolicy(w[1] & 7),
            Mib::UseMultiTxConf(b[2] & 1 == 1),
            Mib::KeepAlivePeriod(h),
            Mib::DisableBssidFilter(b[2] & 2 == 2),
            Mib::Raw { id: raw_id, data: &raw },
        ];
        for mib in mibs {
            check(&WriteMib { mib }, &mut Vec::new())?;
        }
        check(&ReadMib { mib_id: h }, &mut Vec::new())?;
        check(&ReadMibCnf { status: Status::from(w[0]), mib_id: raw_id, data: &raw }, &mut Vec::new())?;
    }

    #[test]
    fn mcu(t in any::<u32>(), label in any::<u32>(), payload in bytes(200)) {
        check(&RfCmd { cmd: t.into(), payload: &payload }, &mut Vec::new())?;
        let r = McuReply { handle_label: label.into(), cmd_type: t, payload: &payload };
        let mut b = vec![0xa5; r.buffer_len()];
        r.emit(&mut b);
        prop_assert_eq!(McuReply::parse(&b), Ok(r));
        let g = GenericCnf { status: t.into() };
        let mut b = [0xa5u8; 4];
        g.emit(&mut b);
        prop_assert_eq!(GenericCnf::parse(&b), Ok(g));
    }

    #[test]
    fn bootrom(seq in any::<u8>(), a in any::<u32>(), b in any::<u32>(), data in bytes(2000), kind in 0u8..5) {
        let f = match kind {
            0 => Frame::Reply { seq, status: a },
            1 => Frame::Info { seq, total_len: a, dest_addr: b },
            2 => Frame::Data { seq, addr: a, data: &data },
            3 => Frame::End { seq, crc32: a },
            _ => Frame::Run { seq, exec_addr: a },
        };
        let mut buf = vec![0xa5u8; 4096];
        let n = f.emit_padded(&mut buf).unwrap();
        prop_assert_eq!(n, round_up_blocks(f.buffer_len().max(512)));
        prop_assert!(buf[f.buffer_len()..n].iter().all(|&x| x == 0));
        prop_assert_eq!(Frame::parse(&buf[..n]), Ok(f));
    }

    #[test]
    fn calib(version in 1u16..=2, w in any::<[u32; 5]>(), h in prop::collection::vec(any::<u16>(), 23), f in any::<[u8; 2]>()) {
        let r = CalibRecord {
            version, iq_offset: w[0], freq_cal: h[0], tx_power_ch: [h[1], h[2], h[3]], freq_cal_flags: f[0],
            tx_power_type: f[1], temperature: h[4], tx_power_ch_5g: h[5..18].try_into().unwrap(),
            tx_power_flags_5g: h[18], bt_tx_power: [w[1], w[2], w[3], w[4]], temperature_5g: h[19], select_efuse: h[20],
        };
        let mut b = [0xa5u8; 72];
        r.emit(&mut b, &Crc).unwrap();
        prop_assert_eq!(CalibRecord::parse_with_crc(&b, &Crc), Ok(r));
    }

    /// A burst built from arbitrary message lengths splits back into the same messages.
    #[test]
    fn burst_split(first in 4usize..=4000, lens in prop::collection::vec(4usize..=1632, 0..16), fill in any::<u8>()) {
        let mut all = vec![first];
        all.extend(&lens);
        let mut buf = vec![0u8; 32768];
        let mut pos = 0;
        for (i, &len) in all.iter().enumerate() {
            buf[pos..pos + 2].copy_from_slice(&(len as u16).to_le_bytes());
            buf[pos + 2..pos + 4].copy_from_slice(&0x0804u16.to_le_bytes());
            buf[pos + 4..pos + len].fill(fill ^ i as u8);
            pos += align4(len);
        }
        let end = round_up_blocks(pos);
        let got: Vec<_> = Burst::new(&buf[..end]).collect::<Result<_, Error>>().unwrap();
        prop_assert_eq!(got.len(), all.len());
        for (i, (m, &len)) in got.iter().zip(&all).enumerate() {
            prop_assert_eq!(m.len(), len);
            prop_assert!(m[4..].iter().all(|&x| x == fill ^ i as u8));
        }
        prop_assert!(end <= MAX_RX_BUF || first > 1632);
    }

    /// Arbitrary bytes never panic the splitter, every message it yields lies inside the
    /// buffer, and it never yields more than 16.
    #[test]
    fn burst_garbage(b in bytes(4096)) {
        let mut n = 0;
        for m in Burst::new(&b) {
            match m {
                Ok(m) => { prop_assert!(m.len() >= 4 && m.len() <= b.len()); n += 1; }
                Err(_) => break,
            }
        }
        prop_assert!(n <= 16);
    }

    /// Packing arbitrary messages into batches and unpacking them gives the same messages,
    /// in order, with equal slots, ≤ 16 per batch and vendor messages alone.
    #[test]
    fn tx_pack(msgs in prop::collection::vec((4usize..=1628, any::<bool>(), any::<u8>()), 1..60), trailer in any::<bool>()) {
        let msgs: Vec<Vec<u8>> = msgs.iter().map(|&(len, vendor, fill)| {
            let mut m = vec![fill; len];
            m[..2].copy_from_slice(&(len as u16).to_le_bytes());
            let id: u16 = if vendor { 0x0C27 } else { 0x0004 };
            m[2..4].copy_from_slice(&id.to_le_bytes());
            m
        }).collect();
        let cfg = TxConfig { trailer, max_msgs: 16 };
        let mut out = Vec::new();
        let mut buf = vec![0xa5u8; MAX_TX_BUF];
        let mut i = 0;
        while i < msgs.len() {
            let mut p = TxPacker::new(&mut buf, cfg);
            while i < msgs.len() && p.try_push(&msgs[i], i as u32).unwrap() {
                i += 1;
            }
            let batch = p.finish().unwrap();
            prop_assert!(batch.count <= 16 && batch.bytes.is_multiple_of(512) && batch.bytes <= MAX_TX_BUF);
            let slots: Vec<_> = TxSlots::new(batch.len_field, &buf[..batch.bytes]).unwrap().collect::<Result<_, Error>>().unwrap();
            prop_assert_eq!(slots.len(), batch.count);
            let vendor = slots.iter().filter(|s| Id(u16::from_le_bytes([s.msg[2], s.msg[3]])).is_vendor_class()).count();
            prop_assert!(vendor == 0 || slots.len() == 1);
            for s in &slots {
                let used = s.msg.len() + if trailer { 4 } else { 0 };
                prop_assert!(s.slot[used..].iter().all(|&x| x == 0));
                if trailer {
                    prop_assert_eq!(s.trailer(), Some((out.len()) as u32));
                }
                out.push(s.msg.to_vec());
            }
            prop_assert!(buf[batch.count * batch.slot.bytes()..batch.bytes].iter().all(|&x| x == 0));
        }
        prop_assert_eq!(out, msgs);
    }
}
