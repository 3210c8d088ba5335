//! The rate table (spec §3.9): mac80211's bitrate indices and the firmware's hw rate
//! numbers. The kernel module registers [`LEGACY_RATES`] with mac80211 for 2.4 GHz and its
//! OFDM part ([`band_rates`]) for 5 GHz; mac80211's `rate_idx` and basic-rate bits index the
//! band's own table. Basic-rate sets convert with [`basic_rates_to_hw`] /
//! [`band_basic_rates_to_hw`], RX rates with [`rx_rate`] / [`band_rx_rate`].

use bes2600_wire::wsm::common::Band;

/// One legacy (DSSS/CCK or OFDM) rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegacyRate {
    /// Bitrate in units of 100 kb/s (mac80211's `bitrate`).
    pub bitrate: u16,
    /// The firmware's rate number (`hw_value`).
    pub hw: u8,
    /// The rate may use the short preamble (CCK 2, 5.5 and 11 Mb/s).
    pub short_preamble: bool,
}

const fn rate(bitrate: u16, hw: u8, short_preamble: bool) -> LegacyRate {
    LegacyRate {
        bitrate,
        hw,
        short_preamble,
    }
}

/// 1, 2, 5.5, 11 Mb/s DSSS/CCK (hw 0-3), then the OFDM rates 6-54 Mb/s (hw 6-13); hw 4 and
/// 5 are PBCC, which the firmware does not use.
pub const LEGACY_RATES: [LegacyRate; 12] = [
    rate(10, 0, false),
    rate(20, 1, true),
    rate(55, 2, true),
    rate(110, 3, true),
    rate(60, 6, false),
    rate(90, 7, false),
    rate(120, 8, false),
    rate(180, 9, false),
    rate(240, 10, false),
    rate(360, 11, false),
    rate(480, 12, false),
    rate(540, 13, false),
];

/// Index in [`LEGACY_RATES`] of 6 Mb/s, the first OFDM rate: the 5 GHz band's bitrates are
/// the table from here on, as the vendor driver registers them (C:main.c:76-77), since a
/// 5 GHz radio has no DSSS/CCK.
pub const OFDM_FIRST: usize = 4;

/// The bitrates mac80211 gets for `band`; an index into this slice is that band's
/// `rate_idx`.
pub fn band_rates(band: Band) -> &'static [LegacyRate] {
    match band {
        Band::Band5G => LEGACY_RATES.get(OFDM_FIRST..).unwrap_or(&[]),
        _ => &LEGACY_RATES,
    }
}

/// The firmware's rate number of HT MCS 0; MCS 0-7 are hw 14-21 (spec §3.9).
pub const HT_MCS0_HW: u8 = 14;

/// The HT MCS indices the chip receives (one spatial stream: MCS 0-7), as mac80211's
/// `rx_mask[0]`.
pub const HT_MCS_MASK: u8 = 0xff;

/// A mac80211 basic-rate bitmap (bit n = [`LEGACY_RATES`]`[n]`) as the firmware's rate
/// bitmap (bit n = hw rate n). Bits beyond the table are ignored.
pub fn basic_rates_to_hw(basic: u32) -> u32 {
    band_basic_rates_to_hw(basic, Band::Band2G4)
}

/// A mac80211 basic-rate bitmap of `band` (bit n = [`band_rates`]`(band)[n]`: on 5 GHz, bit 0
/// is 6 Mb/s) as the firmware's rate bitmap. Bits beyond the band's table are ignored.
pub fn band_basic_rates_to_hw(basic: u32, band: Band) -> u32 {
    band_rates(band)
        .iter()
        .enumerate()
        .filter(|(i, _)| basic & (1u32 << i) != 0)
        .fold(0, |acc, (_, r)| acc | 1u32 << r.hw)
}

/// The rate of a received frame in mac80211's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxRate {
    /// Index into the band's bitrates ([`band_rates`]; [`LEGACY_RATES`] on 2.4 GHz).
    Legacy(u8),
    /// HT MCS index.
    Ht(u8),
}

/// mac80211's view of the firmware's rate number `hw` on 2.4 GHz, or `None` for a number
/// outside the table (PBCC, or anything the firmware should not report).
pub fn rx_rate(hw: u8) -> Option<RxRate> {
    band_rx_rate(hw, Band::Band2G4)
}

/// mac80211's view of the firmware's rate number `hw` on `band`: a legacy rate is an index
/// into [`band_rates`]`(band)` (on 5 GHz, hw 6 = 6 Mb/s is index 0, as C:txrx.c:1705-1707
/// computes). `None` for a number outside the band's table: PBCC, anything the firmware
/// should not report, and DSSS/CCK on 5 GHz.
pub fn band_rx_rate(hw: u8, band: Band) -> Option<RxRate> {
    if (HT_MCS0_HW..HT_MCS0_HW + 8).contains(&hw) {
        return Some(RxRate::Ht(hw - HT_MCS0_HW));
    }
    band_rates(band)
        .iter()
        .position(|r| r.hw == hw)
        .and_then(|i| u8::try_from(i).ok())
        .map(RxRate::Legacy)
}
