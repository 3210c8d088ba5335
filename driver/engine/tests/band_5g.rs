//! The 5 GHz band (issue 16 §4): the vendor's channel table, the OFDM-only rate table, RX
//! channel/rate mapping, and the band carried by scan and join requests (checked by emitting
//! and parsing them with the wire crate).

use bes2600_engine::mac::channel::{
    channel_to_freq, freq_to_channel, rx_channel, rx_channel_to_freq, Channel, CHANNELS_2G4_MHZ,
    CHANNELS_5G,
};
use bes2600_engine::mac::join::JoinParams;
use bes2600_engine::mac::rates::{
    band_basic_rates_to_hw, band_rates, band_rx_rate, RxRate, HT_MCS0_HW, LEGACY_RATES, OFDM_FIRST,
};
use bes2600_engine::mac::scan::{
    ScanParams, DWELL_5G_TU, MAX_DWELL_TU, MIN_DWELL_TU, PROBES_PER_CHANNEL, SCAN_CHANNELS_MAX,
};
use bes2600_wire::wsm::common::Band;
use bes2600_wire::wsm::join::JoinReq;
use bes2600_wire::wsm::scan::StartScan;
use bes2600_wire::wsm::{self, Message};
use proptest::prelude::*;

fn ch5(number: u16) -> Channel {
    Channel {
        band: Band::Band5G,
        number,
    }
}

#[test]
fn the_5g_table_is_the_vendors_and_round_trips() {
    // C:main.c:121-141: 37 channels, strictly increasing, all above the 2.4 GHz numbers.
    assert_eq!(CHANNELS_5G.len(), 37);
    assert!(CHANNELS_5G.windows(2).all(|w| w[0] < w[1]));
    assert!(CHANNELS_5G.iter().all(|n| *n > 14));
    for n in CHANNELS_5G {
        let f = channel_to_freq(ch5(n)).expect("table channel has a frequency");
        // C:main.c:95: 5000 + 5 x n for every entry.
        assert_eq!(u32::from(f), 5000 + 5 * u32::from(n));
        assert_eq!(freq_to_channel(u32::from(f)), Some(ch5(n)));
        assert_eq!(rx_channel(n), Some(ch5(n)));
        assert_eq!(rx_channel_to_freq(n), Some(f));
    }
    assert_eq!(channel_to_freq(ch5(36)), Some(5180));
    assert_eq!(channel_to_freq(ch5(165)), Some(5825));
}

#[test]
fn channels_the_chip_lacks_have_no_frequency() {
    // 144, 169 and 197 are 5 GHz channels elsewhere, not in the vendor's table.
    for n in [0, 1, 14, 33, 35, 144, 169, 197, 220] {
        assert_eq!(channel_to_freq(ch5(n)), None, "channel {n}");
    }
    for f in [5720, 5845, 5985, 5181, 6085, 5000] {
        assert_eq!(freq_to_channel(f), None, "{f} MHz");
    }
}

#[test]
fn rx_numbers_above_14_are_5g_the_rest_2g4() {
    for (i, f) in CHANNELS_2G4_MHZ.iter().enumerate() {
        let n = u16::try_from(i + 1).unwrap();
        assert_eq!(rx_channel(n).map(|c| c.band), Some(Band::Band2G4));
        assert_eq!(rx_channel_to_freq(n), Some(*f));
    }
    for n in [0, 15, 33, 35, 300] {
        assert_eq!(rx_channel(n), None, "channel {n}");
    }
}

#[test]
fn the_5g_rates_are_the_ofdm_part_of_the_table() {
    let a = band_rates(Band::Band5G);
    assert_eq!(a, &LEGACY_RATES[OFDM_FIRST..]);
    let mbps: Vec<u16> = a.iter().map(|r| r.bitrate).collect();
    assert_eq!(mbps, [60, 90, 120, 180, 240, 360, 480, 540]);
    assert!(a
        .iter()
        .all(|r| !r.short_preamble && (6..=13).contains(&r.hw)));
    assert_eq!(band_rates(Band::Band2G4), &LEGACY_RATES[..]);
}

#[test]
fn rx_rates_index_the_bands_own_table() {
    // 6 Mb/s (hw 6) is index 0 on 5 GHz and index 4 on 2.4 GHz (C:txrx.c:1702-1711).
    assert_eq!(band_rx_rate(6, Band::Band5G), Some(RxRate::Legacy(0)));
    assert_eq!(band_rx_rate(6, Band::Band2G4), Some(RxRate::Legacy(4)));
    assert_eq!(band_rx_rate(13, Band::Band5G), Some(RxRate::Legacy(7)));
    // No DSSS/CCK (hw 0-3) and no PBCC (4, 5) on 5 GHz.
    for hw in 0..6 {
        assert_eq!(band_rx_rate(hw, Band::Band5G), None, "hw {hw}");
    }
    for mcs in 0..8 {
        assert_eq!(
            band_rx_rate(HT_MCS0_HW + mcs, Band::Band5G),
            Some(RxRate::Ht(mcs))
        );
    }
    for (i, r) in band_rates(Band::Band5G).iter().enumerate() {
        let idx = u8::try_from(i).unwrap();
        assert_eq!(band_rx_rate(r.hw, Band::Band5G), Some(RxRate::Legacy(idx)));
    }
}

proptest! {
    #[test]
    fn basic_rates_map_per_band(mask in any::<u32>()) {
        for band in [Band::Band2G4, Band::Band5G] {
            let hw = band_basic_rates_to_hw(mask, band);
            let rates = band_rates(band);
            for (i, r) in rates.iter().enumerate() {
                prop_assert_eq!(hw & (1 << r.hw) != 0, mask & (1 << i) != 0);
            }
            let covered = rates.iter().fold(0u32, |acc, r| acc | 1 << r.hw);
            prop_assert_eq!(hw & !covered, 0);
        }
    }
}

#[test]
fn join_on_5g_carries_the_band_and_ofdm_basic_rates() {
    let bssid = [2, 0, 0, 0, 0, 0x36];
    // 802.11a mandatory basic set: 6, 12, 24 Mb/s = 5 GHz table bits 0, 2, 4.
    let j = JoinParams::new(bssid, 5180, 100, 2, 0b1_0101);
    assert_eq!((j.band, j.channel, j.dtim), (Band::Band5G, 36, 2));
    assert_eq!(j.basic_rates, 1 << 6 | 1 << 8 | 1 << 10);
    let mut buf = [0u8; 128];
    let n = wsm::emit(&j.request(), 0, &mut buf).unwrap();
    let (_, body) = wsm::split(&buf[..n]).unwrap();
    let req = JoinReq::parse(body).unwrap();
    assert_eq!((req.band, req.channel), (Band::Band5G, 36));
    assert_eq!(req.basic_rate_set, j.basic_rates);
}

fn parse_scan<R>(p: &ScanParams, check: impl FnOnce(&StartScan<'_>) -> R) -> R {
    let mut buf = [0u8; 1632];
    let n = p.with_request(|req| wsm::emit(req, 0, &mut buf).expect("fits"));
    let (id, body) = wsm::split(&buf[..n]).unwrap();
    assert_eq!(id.msg_id(), StartScan::ID);
    check(&StartScan::parse(body).expect("parses"))
}

#[test]
fn a_no_ir_5g_scan_listens_on_5g_at_ofdm_rates() {
    let p = ScanParams::from_channels([(5180, true), (5200, true), (2412, false)], b"");
    assert_eq!((p.band(), p.channels()), (Band::Band5G, &[36, 40][..]));
    assert!(p.passive());
    parse_scan(&p, |req| {
        assert_eq!(req.band, Band::Band5G);
        assert_eq!(req.num_probe_req, 0);
        assert_eq!(req.max_tx_rate, 6);
        assert!(req
            .channels
            .iter()
            .all(|c| c.min_time == DWELL_5G_TU && c.max_time == DWELL_5G_TU));
    });
}

#[test]
fn the_first_channel_decides_active_or_passive() {
    // As C:scan.c:606-609: channel 1 may be probed, so 12 and 13 are probed in the same
    // request although NO_IR.
    let p = ScanParams::from_channels([(2412, false), (2467, true), (2472, true)], b"x");
    assert!(!p.passive());
    parse_scan(&p, |req| {
        assert_eq!(req.band, Band::Band2G4);
        assert_eq!(req.num_probe_req, PROBES_PER_CHANNEL);
        assert_eq!(req.max_tx_rate, 0);
        assert!(req
            .channels
            .iter()
            .all(|c| c.min_time == MIN_DWELL_TU && c.max_time == MAX_DWELL_TU));
    });
    let p = ScanParams::from_channels([(5180, false)], b"");
    assert!(!p.passive());
    parse_scan(&p, |req| assert_eq!(req.num_probe_req, PROBES_PER_CHANNEL));
}

#[test]
fn the_whole_5g_band_fits_one_request() {
    let freqs = CHANNELS_5G.map(|n| u32::from(channel_to_freq(ch5(n)).unwrap()));
    let p = ScanParams::from_channels(freqs.map(|f| (f, true)), b"bes2600-realap");
    assert!(CHANNELS_5G.len() <= SCAN_CHANNELS_MAX);
    assert_eq!(p.channels(), &CHANNELS_5G[..]);
    parse_scan(&p, |req| {
        let got: Vec<u16> = req.channels.iter().map(|c| c.number).collect();
        assert_eq!(got, CHANNELS_5G);
        assert_eq!(req.ssids.iter().count(), 1);
    });
}

#[test]
fn rx_frequency_falls_back_to_the_tuned_channel() {
    use bes2600_engine::mac::channel::rx_freq_band;
    assert_eq!(rx_freq_band(36, 2437), (5180, Band::Band5G));
    assert_eq!(rx_freq_band(6, 5180), (2437, Band::Band2G4));
    // An unknown number: the tuned channel and its band.
    assert_eq!(rx_freq_band(0, 5180), (5180, Band::Band5G));
    assert_eq!(rx_freq_band(250, 2412), (2412, Band::Band2G4));
    // Nothing known at all: the fallback as given, on 2.4 GHz.
    assert_eq!(rx_freq_band(0, 0), (0, Band::Band2G4));
}
