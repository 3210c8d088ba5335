//! The mac80211-facing mappings of `bes2600_engine::mac`: channels, rates, scan and join
//! requests (checked by emitting and parsing them with the wire crate), command tags.

use bes2600_engine::mac::channel::{
    channel_2g4_to_freq, channel_to_freq, freq_to_channel, Channel, CHANNELS_2G4_MHZ,
};
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::rates::{basic_rates_to_hw, rx_rate, RxRate, HT_MCS0_HW, LEGACY_RATES};
use bes2600_engine::mac::scan::{ScanParams, MAX_DWELL_TU, MIN_DWELL_TU, SCAN_CHANNELS_MAX};
use bes2600_engine::mac::tags::Tag;
use bes2600_wire::wsm::common::Band;
use bes2600_wire::wsm::join::JoinReq;
use bes2600_wire::wsm::scan::StartScan;
use bes2600_wire::wsm::{self, Message};
use proptest::prelude::*;

#[test]
fn the_2g4_table_is_channels_1_to_14_in_order() {
    for (i, f) in CHANNELS_2G4_MHZ.iter().enumerate() {
        let ch = freq_to_channel(u32::from(*f)).expect("table frequency maps");
        assert_eq!(ch.band, Band::Band2G4);
        assert_eq!(usize::from(ch.number), i + 1);
        assert_eq!(channel_2g4_to_freq(ch.number), Some(*f));
    }
}

#[test]
fn off_grid_and_out_of_band_frequencies_have_no_channel() {
    for f in [
        0, 2407, 2411, 2413, 2477, 2483, 2485, 5000, 5003, 5985, 6115,
    ] {
        assert_eq!(freq_to_channel(f), None, "{f} MHz");
    }
    assert_eq!(channel_2g4_to_freq(0), None);
    assert_eq!(channel_2g4_to_freq(15), None);
}

#[test]
fn five_ghz_channels_map_by_5_mhz_steps() {
    let c36 = freq_to_channel(5180).unwrap();
    assert_eq!((c36.band, c36.number), (Band::Band5G, 36));
    assert_eq!(
        channel_to_freq(Channel {
            band: Band::Band5G,
            number: 165
        }),
        Some(5825)
    );
}

proptest! {
    #[test]
    fn frequency_channel_round_trip(f in 0u32..7000) {
        if let Some(ch) = freq_to_channel(f) {
            prop_assert_eq!(channel_to_freq(ch).map(u32::from), Some(f));
        }
    }

    #[test]
    fn basic_rates_set_exactly_the_table_bits(mask in any::<u32>()) {
        let hw = basic_rates_to_hw(mask);
        for (i, r) in LEGACY_RATES.iter().enumerate() {
            prop_assert_eq!(hw & (1 << r.hw) != 0, mask & (1 << i) != 0);
        }
        // PBCC (hw 4, 5) and HT numbers never appear in a basic-rate set.
        prop_assert_eq!(hw & !0x3FCF, 0);
    }
}

#[test]
fn cck_rates_are_hw_0_to_3_and_ofdm_hw_6_to_13() {
    let hw: Vec<u8> = LEGACY_RATES.iter().map(|r| r.hw).collect();
    assert_eq!(hw, [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13]);
    // 6 Mb/s OFDM (table index 4) is hw rate 6.
    assert_eq!(basic_rates_to_hw(1 << 4), 1 << 6);
    // 1, 2, 5.5, 11 Mb/s: the 802.11b basic set.
    assert_eq!(basic_rates_to_hw(0b1111), 0b1111);
    // Only CCK rates may use the short preamble, and not 1 Mb/s.
    for r in LEGACY_RATES {
        assert_eq!(
            r.short_preamble,
            matches!(r.bitrate, 20 | 55 | 110),
            "{r:?}"
        );
    }
}

#[test]
fn rx_rates_map_back_to_the_table_or_ht() {
    for (i, r) in LEGACY_RATES.iter().enumerate() {
        assert_eq!(rx_rate(r.hw), Some(RxRate::Legacy(i as u8)));
    }
    for mcs in 0..8 {
        assert_eq!(rx_rate(HT_MCS0_HW + mcs), Some(RxRate::Ht(mcs)));
    }
    for hw in [4, 5, 22, 255] {
        assert_eq!(rx_rate(hw), None, "hw {hw}");
    }
}

fn parse_scan<R>(p: &ScanParams, check: impl FnOnce(&StartScan<'_>) -> R) -> R {
    let mut buf = [0u8; 1632];
    let n = p.with_request(|req| wsm::emit(req, 0, &mut buf).expect("fits"));
    let (id, body) = wsm::split(&buf[..n]).unwrap();
    assert_eq!(id.msg_id(), StartScan::ID);
    check(&StartScan::parse(body).expect("parses"))
}

#[test]
fn scan_keeps_one_band_and_the_ssid() {
    let p = ScanParams::new([2412, 2437, 5180, 2462, 2999], b"bes2600-sim");
    assert_eq!(p.band(), Band::Band2G4);
    assert_eq!(p.channels(), &[1, 6, 11]);
    parse_scan(&p, |req| {
        assert_eq!(req.band, Band::Band2G4);
        let chans: Vec<_> = req.channels.iter().collect();
        assert_eq!(chans.len(), 3);
        assert!(chans
            .iter()
            .all(|c| c.min_time == MIN_DWELL_TU && c.max_time == MAX_DWELL_TU));
        assert_eq!(
            chans.iter().map(|c| c.number).collect::<Vec<_>>(),
            [1, 6, 11]
        );
        let ssids: Vec<_> = req.ssids.iter().collect();
        assert_eq!(ssids.len(), 1);
        assert_eq!(ssids[0].as_bytes(), b"bes2600-sim");
    });
}

#[test]
fn wildcard_scan_has_no_ssid_and_long_lists_are_cut() {
    let freqs = (0..2 * SCAN_CHANNELS_MAX as u32).map(|i| 2412 + 5 * (i % 13));
    let p = ScanParams::new(freqs, b"");
    assert_eq!(p.channels().len(), SCAN_CHANNELS_MAX);
    assert!(p.ssid().is_none());
    parse_scan(&p, |req| {
        assert_eq!(req.ssids.iter().count(), 0);
        assert_eq!(req.channels.iter().count(), SCAN_CHANNELS_MAX);
    });
}

#[test]
fn join_maps_channel_dtim_and_basic_rates() {
    let bssid = [2, 0, 0, 0, 0, 0x42];
    let j = JoinParams::new(bssid, 2437, 100, 0, 0b1_0000_1111);
    assert_eq!((j.band, j.channel, j.dtim), (Band::Band2G4, 6, 1));
    // Table index 8 is 24 Mb/s, hw rate 10.
    assert_eq!(j.basic_rates, 0b1111 | 1 << 10);
    let mut buf = [0u8; 128];
    let n = wsm::emit(&j.request(), 0, &mut buf).unwrap();
    let (_, body) = wsm::split(&buf[..n]).unwrap();
    let req = JoinReq::parse(body).unwrap();
    assert_eq!(req, j.request());
    assert_eq!(
        (req.channel, req.bssid, req.beacon_interval),
        (6, bssid, 100)
    );
}

#[test]
fn join_without_a_valid_frequency_uses_channel_0() {
    assert_eq!(JoinParams::new([1; 6], 0, 100, 3, 0).channel, 0);
}

#[test]
fn tags_round_trip_and_do_not_collide() {
    let all = [
        Tag::Scan,
        Tag::Join,
        Tag::Reset,
        Tag::StopScan,
        Tag::Key(0),
        Tag::Key(0xFFFF),
    ];
    for (i, t) in all.iter().enumerate() {
        assert_eq!(Tag::decode(t.encode()), Some(*t));
        for u in &all[i + 1..] {
            assert_ne!(t.encode(), u.encode(), "{t:?} / {u:?}");
        }
    }
    assert_eq!(Tag::decode(0), None);
    assert_eq!(Tag::decode(5), None);
    assert_eq!(Tag::decode(1 << 17), None);
}

proptest! {
    #[test]
    fn key_generations_survive_the_tag(gen in any::<u16>()) {
        prop_assert_eq!(Tag::decode(Tag::Key(gen).encode()), Some(Tag::Key(gen)));
    }
}
