//! The rate table (spec §3.9): mac80211's bitrate indices and the firmware's hw rate
//! numbers. The kernel module registers [`LEGACY_RATES`] with mac80211 (the index into the
//! table is mac80211's `rate_idx`), converts basic-rate sets with [`basic_rates_to_hw`] and
//! RX rates with [`rx_rate`].

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

/// The firmware's rate number of HT MCS 0; MCS 0-7 are hw 14-21 (spec §3.9).
pub const HT_MCS0_HW: u8 = 14;

/// The HT MCS indices the chip receives (one spatial stream: MCS 0-7), as mac80211's
/// `rx_mask[0]`.
pub const HT_MCS_MASK: u8 = 0xff;

/// A mac80211 basic-rate bitmap (bit n = [`LEGACY_RATES`]`[n]`) as the firmware's rate
/// bitmap (bit n = hw rate n). Bits beyond the table are ignored.
pub fn basic_rates_to_hw(basic: u32) -> u32 {
    LEGACY_RATES
        .iter()
        .enumerate()
        .filter(|(i, _)| basic & (1u32 << i) != 0)
        .fold(0, |acc, (_, r)| acc | 1u32 << r.hw)
}

/// The rate of a received frame in mac80211's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxRate {
    /// Index into [`LEGACY_RATES`].
    Legacy(u8),
    /// HT MCS index.
    Ht(u8),
}

/// mac80211's view of the firmware's rate number `hw`, or `None` for a number outside the
/// table (PBCC, or anything the firmware should not report).
pub fn rx_rate(hw: u8) -> Option<RxRate> {
    if (HT_MCS0_HW..HT_MCS0_HW + 8).contains(&hw) {
        return Some(RxRate::Ht(hw - HT_MCS0_HW));
    }
    LEGACY_RATES
        .iter()
        .position(|r| r.hw == hw)
        .and_then(|i| u8::try_from(i).ok())
        .map(RxRate::Legacy)
}
