//! The rate table (spec §3.9): mac80211's bitrate indices and the firmware's hw rate
//! numbers. The kernel module registers [`LEGACY_RATES`] with mac80211 for 2.4 GHz and its
//! OFDM part ([`band_rates`]) for 5 GHz; mac80211's `rate_idx` and basic-rate bits index the
//! band's own table. Basic-rate sets convert with [`basic_rates_to_hw`] /
//! [`band_basic_rates_to_hw`], RX rates with [`rx_rate`] / [`band_rx_rate`], mac80211's TX
//! rate choice with [`band_tx_rates`], and the firmware's TX confirm back into mac80211's
//! status rates with [`status_rates`].

use bes2600_wire::wsm::common::Band;
use bes2600_wire::wsm::rate::{lowest_legacy, RETRY_LIMIT};

use crate::txpolicy::{TxRate, TxRates, MAX_RATES};

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

/// A rate in mac80211's terms: of a received frame, of a TX frame's rate list, of a TX
/// status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacRate {
    /// Index into the band's bitrates ([`band_rates`]; [`LEGACY_RATES`] on 2.4 GHz).
    Legacy(u8),
    /// HT MCS index.
    Ht(u8),
}

/// The name the RX path uses for [`MacRate`].
pub type RxRate = MacRate;

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

/// The firmware's rate number of mac80211's rate `r` on `band`: a legacy index counts in
/// [`band_rates`]`(band)` (on 5 GHz index 0 is 6 Mb/s, hw 6), an HT MCS 0-7 is hw 14-21.
/// `None` for an index beyond the band's table or an MCS the chip does not send (8 and up:
/// one spatial stream).
pub fn band_hw_rate(r: MacRate, band: Band) -> Option<u8> {
    match r {
        MacRate::Legacy(i) => band_rates(band).get(usize::from(i)).map(|l| l.hw),
        MacRate::Ht(mcs) if mcs < 8 => Some(HT_MCS0_HW + mcs),
        MacRate::Ht(_) => None,
    }
}

/// mac80211's rate list for a frame (`ieee80211_tx_info.control.rates`: best first, with
/// its tries; `None` for an entry of a kind the chip has no number for, such as VHT) as
/// the firmware rate numbers the engine builds its policy from ([`crate::txpolicy`]).
///
/// An entry that has no number on `band` is left out and the ones behind it kept: the
/// firmware then falls back further down the list, as mac80211 asked. A list with nothing
/// usable (mac80211 gave no rate) becomes the band's lowest legacy rate with every try
/// (1 Mb/s on 2.4 GHz, 6 Mb/s on 5 GHz, where a DSSS rate would be made up: the chip cannot
/// send it there).
pub fn band_tx_rates(list: &[Option<(MacRate, u8)>], band: Band) -> TxRates {
    let mut out = TxRates::NONE;
    out.band_5g = band == Band::Band5G;
    for &(r, count) in list.iter().flatten() {
        let Some(hw) = band_hw_rate(r, band) else {
            continue;
        };
        if count > 0 {
            out.push(TxRate { hw, count });
        }
    }
    if out.is_empty() {
        out.push(TxRate {
            hw: lowest_legacy(band),
            count: RETRY_LIMIT,
        });
    }
    out
}

/// One entry of the TX status reported to mac80211 (`ieee80211_tx_info.status.rates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRate {
    /// The rate.
    pub rate: MacRate,
    /// Attempts at this rate.
    pub count: u8,
    /// Index of the entry of mac80211's list this one reports on (its flags, such as short
    /// GI or 40 MHz, still apply); `None` for the rate the firmware reported that was not in
    /// the list (the lowest legacy rate the BES policy appends behind HT rates, spec §3.9).
    pub from: Option<u8>,
}

/// Up to [`MAX_RATES`] status entries, in the order the firmware tried them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusRates {
    rates: [Option<StatusRate>; MAX_RATES],
    len: u8,
}

impl StatusRates {
    /// The entries.
    pub fn as_slice(&self) -> &[Option<StatusRate>] {
        self.rates.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The entries, without the `Option` (every stored entry is `Some`).
    pub fn iter(&self) -> impl Iterator<Item = StatusRate> + '_ {
        self.as_slice().iter().flatten().copied()
    }

    /// The rate of the last attempt, `None` when nothing is reported.
    pub fn last(&self) -> Option<StatusRate> {
        self.iter().last()
    }

    fn push(&mut self, s: StatusRate) -> bool {
        match self.rates.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = Some(s);
                self.len += 1;
                true
            }
            None => false,
        }
    }
}

/// The attempts a TX confirm accounts for: the failed ones (`ackFailures`) and, for an
/// acknowledged frame, the one that was acknowledged (C:txrx.c:1356-1360 counts the same).
/// A failed frame was sent at least once.
pub fn attempts(acked: bool, ack_failures: u8) -> u8 {
    if acked {
        ack_failures.saturating_add(1)
    } else {
        ack_failures.max(1)
    }
}

/// What mac80211's rate control is told about a frame: `tried` is the frame's rate list
/// (as given to [`band_tx_rates`]), `txed` the rate the firmware reports the frame went out
/// at last (`txedRate` of the confirm, through [`band_rx_rate`]; `None` when the number is
/// not one of the band's), and `attempts` all attempts ([`attempts`]).
///
/// The firmware walks its policy from the first rate down and moves on only once a rate's
/// tries are used up (spec §3.9), so the entries in front of `txed` used their tries and
/// `txed` the rest; the status ends at `txed`. A `txed` that is not in the list (the lowest
/// legacy rate the BES policy adds behind HT rates) follows the list's entries, replacing
/// the last when all four are taken. Where the entries' tries add up to more than the
/// attempts (the policy cuts tries to its retry limit), the earlier entries keep theirs and
/// `txed` keeps at least one. Without a `txed`, the attempts are spread over the list as the
/// vendor driver does (C:txrx.c:1381-1393).
///
/// This differs from the vendor driver, which never reads `txedRate` and infers the final
/// rate from the attempt count alone (C:txrx.c:1381-1393).
pub fn status_rates(
    tried: &[Option<(MacRate, u8)>],
    txed: Option<MacRate>,
    attempts: u8,
) -> StatusRates {
    let mut out = StatusRates::default();
    let mut left = attempts.max(1);
    let entries = tried
        .iter()
        .take(MAX_RATES)
        .enumerate()
        .filter_map(|(i, e)| e.map(|(rate, count)| (i as u8, rate, count)))
        .filter(|&(_, _, count)| count > 0);
    let Some(txed) = txed else {
        // The vendor's walk: each entry takes its tries until the attempts run out.
        for (i, rate, count) in entries {
            let n = count.min(left);
            out.push(StatusRate {
                rate,
                count: n,
                from: Some(i),
            });
            left -= n;
            if left == 0 {
                break;
            }
        }
        return out;
    };
    let mut txed_from = None;
    for (i, rate, count) in entries {
        if rate == txed {
            txed_from = Some(i);
            break;
        }
        // Keep one attempt for `txed`; an entry left with none was not tried.
        let n = count.min(left - 1);
        if n == 0 {
            break;
        }
        out.push(StatusRate {
            rate,
            count: n,
            from: Some(i),
        });
        left -= n;
    }
    let last = StatusRate {
        rate: txed,
        count: left,
        from: txed_from,
    };
    if !out.push(last) {
        // All four taken by rates in front of a `txed` not in the list: it replaces the
        // last of them, whose attempts it takes over (the total stays right).
        if let Some(Some(s)) = out.rates.last_mut() {
            *s = StatusRate {
                count: s.count.saturating_add(left),
                ..last
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const B2: Band = Band::Band2G4;
    const B5: Band = Band::Band5G;

    fn l(i: u8, c: u8) -> Option<(MacRate, u8)> {
        Some((MacRate::Legacy(i), c))
    }

    fn ht(m: u8, c: u8) -> Option<(MacRate, u8)> {
        Some((MacRate::Ht(m), c))
    }

    fn hws(r: &TxRates) -> Vec<(u8, u8)> {
        r.as_slice().iter().map(|t| (t.hw, t.count)).collect()
    }

    fn st(s: &StatusRates) -> Vec<(MacRate, u8, Option<u8>)> {
        s.iter().map(|e| (e.rate, e.count, e.from)).collect()
    }

    #[test]
    fn legacy_index_counts_in_the_bands_table() {
        // 2.4 GHz index 4 is 6 Mb/s; on 5 GHz index 0 is.
        assert_eq!(band_hw_rate(MacRate::Legacy(0), B2), Some(0));
        assert_eq!(band_hw_rate(MacRate::Legacy(4), B2), Some(6));
        assert_eq!(band_hw_rate(MacRate::Legacy(0), B5), Some(6));
        assert_eq!(band_hw_rate(MacRate::Legacy(7), B5), Some(13));
        assert_eq!(band_hw_rate(MacRate::Legacy(8), B5), None);
        assert_eq!(band_hw_rate(MacRate::Legacy(12), B2), None);
        assert_eq!(band_hw_rate(MacRate::Ht(7), B5), Some(21));
        assert_eq!(band_hw_rate(MacRate::Ht(8), B2), None);
    }

    #[test]
    fn tx_and_rx_mappings_are_inverse_on_both_bands() {
        for band in [B2, B5] {
            for i in 0..band_rates(band).len() as u8 {
                let hw = band_hw_rate(MacRate::Legacy(i), band);
                assert_eq!(
                    hw.and_then(|h| band_rx_rate(h, band)),
                    Some(MacRate::Legacy(i))
                );
            }
            for m in 0..8 {
                let hw = band_hw_rate(MacRate::Ht(m), band);
                assert_eq!(hw.and_then(|h| band_rx_rate(h, band)), Some(MacRate::Ht(m)));
            }
        }
    }

    #[test]
    fn a_5g_list_never_names_a_dsss_rate() {
        let r = band_tx_rates(&[ht(7, 2), ht(4, 3), l(0, 2)], B5);
        assert_eq!(hws(&r), [(21, 2), (18, 3), (6, 2)]);
        assert!(r.band_5g);
        // The same indices on 2.4 GHz end at 1 Mb/s.
        let r = band_tx_rates(&[ht(7, 2), ht(4, 3), l(0, 2)], B2);
        assert_eq!(hws(&r), [(21, 2), (18, 3), (0, 2)]);
        assert!(!r.band_5g);
    }

    #[test]
    fn entries_without_a_number_are_left_out_and_the_rest_kept() {
        let r = band_tx_rates(&[None, ht(9, 2), l(3, 4), l(0, 0)], B5);
        assert_eq!(hws(&r), [(9, 4)]);
    }

    #[test]
    fn no_usable_rate_gives_the_bands_lowest_rate() {
        assert_eq!(hws(&band_tx_rates(&[], B5)), [(6, RETRY_LIMIT)]);
        assert_eq!(hws(&band_tx_rates(&[None], B2)), [(0, RETRY_LIMIT)]);
        assert_eq!(hws(&band_tx_rates(&[l(20, 1)], B5)), [(6, RETRY_LIMIT)]);
    }

    #[test]
    fn attempts_count_the_acked_one() {
        assert_eq!(attempts(true, 0), 1);
        assert_eq!(attempts(true, 3), 4);
        assert_eq!(attempts(false, 0), 1);
        assert_eq!(attempts(false, 7), 7);
        assert_eq!(attempts(true, u8::MAX), u8::MAX);
    }

    #[test]
    fn first_rate_acked_reports_one_attempt_there() {
        let s = status_rates(&[ht(7, 3), ht(5, 3), l(0, 2)], Some(MacRate::Ht(7)), 1);
        assert_eq!(st(&s), [(MacRate::Ht(7), 1, Some(0))]);
    }

    #[test]
    fn the_rates_in_front_of_the_txed_one_used_their_tries() {
        let s = status_rates(&[ht(7, 3), ht(5, 3), l(0, 2)], Some(MacRate::Ht(5)), 5);
        assert_eq!(
            st(&s),
            [(MacRate::Ht(7), 3, Some(0)), (MacRate::Ht(5), 2, Some(1))]
        );
        assert_eq!(s.last().map(|e| e.rate), Some(MacRate::Ht(5)));
    }

    #[test]
    fn a_txed_rate_outside_the_list_follows_it() {
        // The BES policy's 6 Mb/s behind the HT rates on 5 GHz (hw 6 = index 0).
        let s = status_rates(&[ht(7, 2), ht(3, 2)], Some(MacRate::Legacy(0)), 6);
        assert_eq!(
            st(&s),
            [
                (MacRate::Ht(7), 2, Some(0)),
                (MacRate::Ht(3), 2, Some(1)),
                (MacRate::Legacy(0), 2, None)
            ]
        );
        // All four slots taken: it replaces the last, whose attempts it takes over.
        let full = [ht(7, 1), ht(6, 1), ht(5, 1), ht(4, 1)];
        let s = status_rates(&full, Some(MacRate::Legacy(0)), 6);
        assert_eq!(
            st(&s),
            [
                (MacRate::Ht(7), 1, Some(0)),
                (MacRate::Ht(6), 1, Some(1)),
                (MacRate::Ht(5), 1, Some(2)),
                (MacRate::Legacy(0), 3, None)
            ]
        );
    }

    #[test]
    fn more_tries_listed_than_attempts_keep_one_for_the_txed_rate() {
        let s = status_rates(&[ht(7, 5), ht(5, 5)], Some(MacRate::Ht(5)), 3);
        assert_eq!(
            st(&s),
            [(MacRate::Ht(7), 2, Some(0)), (MacRate::Ht(5), 1, Some(1))]
        );
    }

    #[test]
    fn without_a_txed_rate_the_attempts_walk_the_list() {
        let s = status_rates(&[ht(7, 2), ht(5, 2), l(0, 2)], None, 3);
        assert_eq!(
            st(&s),
            [(MacRate::Ht(7), 2, Some(0)), (MacRate::Ht(5), 1, Some(1))]
        );
        assert!(status_rates(&[], None, 3).as_slice().is_empty());
    }

    #[test]
    fn entries_without_a_number_keep_their_index() {
        let s = status_rates(&[None, ht(5, 2)], Some(MacRate::Ht(5)), 1);
        assert_eq!(st(&s), [(MacRate::Ht(5), 1, Some(1))]);
    }

    fn any_rate() -> impl Strategy<Value = MacRate> {
        prop_oneof![
            (0u8..12).prop_map(MacRate::Legacy),
            (0u8..8).prop_map(MacRate::Ht)
        ]
    }

    proptest! {
        /// Whatever the list, the status accounts for every attempt, ends at the rate the
        /// firmware reported, and keeps the list's order.
        #[test]
        fn status_accounts_for_every_attempt(
            list in proptest::collection::vec(
                proptest::option::of((any_rate(), 1u8..16)), 0..=4),
            txed in proptest::option::of(any_rate()),
            n in 1u8..40,
        ) {
            let s = status_rates(&list, txed, n);
            let total: u32 = s.iter().map(|e| u32::from(e.count)).sum();
            prop_assert!(s.iter().all(|e| e.count > 0));
            prop_assert!(s.as_slice().len() <= MAX_RATES);
            let froms: Vec<u8> = s.iter().filter_map(|e| e.from).collect();
            prop_assert!(froms.windows(2).all(|w| w[0] < w[1]));
            for e in s.iter() {
                if let Some(i) = e.from {
                    prop_assert_eq!(list[usize::from(i)].map(|x| x.0), Some(e.rate));
                }
            }
            match txed {
                Some(t) => {
                    prop_assert_eq!(total, u32::from(n));
                    prop_assert_eq!(s.last().map(|e| e.rate), Some(t));
                }
                None => {
                    let listed: u32 = list.iter().flatten().map(|x| u32::from(x.1)).sum();
                    prop_assert_eq!(total, u32::from(n).min(listed));
                }
            }
        }
    }
}
