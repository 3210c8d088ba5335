// SPDX-License-Identifier: GPL-2.0-only
//! TX rate policies (spec §3.9, errata 13): mac80211's rate choice for a frame becomes one of
//! the firmware's 8 rate/retry policies (MIB 0x1016), uploaded before the first frame that
//! names it; the TX request names the policy index and its first rate.
//!
//! This is the vendor's TX policy cache (C:txrx.c:83-470, `tx_policy_build`/`_get`/`_put`/
//! `_upload`, from mainline cw1200) without allocation or locks:
//!
//! * [`build`]: up to 4 rates (best first, as `ieee80211_tx_info.control.rates`) become the
//!   24 try-count nibbles: duplicates merged, tries cut to the retry limit keeping every
//!   rate, the 54→1 Mb/s CTS workaround (2.4 GHz), and the BES addition of tries at the lowest
//!   legacy rate behind an HT rate (C:txrx.c:225-252).
//! * [`PolicyCache`]: 8 entries with a use count per frame in flight; a wanted policy matches
//!   an entry whose nibbles agree up to the wanted first rate (C's `tx_policy_is_equal`); a
//!   new one replaces the least recently used free entry and must be uploaded before use.
//!   When all 8 are in use, TX waits for confirms (C locks the queues).
//! * The firmware forgets its table on Reset 0x000A (spec §3.3, T): [`PolicyCache::forget_uploads`].
//!
//! Deviations: the CTS workaround is applied on 2.4 GHz only (C also applies it on 5 GHz,
//! where its "lowest g-rate" index names 24 Mb/s); rates are given as firmware rate numbers
//! (the caller maps mac80211's index through its band table, `mac::rates`).

use bes2600_wire::wsm::rate::{hw, RatePolicy, RateTries, MAX_POLICIES, POLICY_FLAGS, RETRY_LIMIT};

/// Rates mac80211 gives per frame (`IEEE80211_TX_MAX_RATES`).
pub const MAX_RATES: usize = 4;

/// Frames in flight the cache tracks (their policy is in use until confirmed).
pub const INFLIGHT_MAX: usize = 64;

/// One rate of mac80211's choice: firmware rate number (spec §3.9) and tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxRate {
    /// Firmware rate number: 0-3 DSSS/CCK, 6-13 OFDM, 14-21 HT MCS 0-7.
    pub hw: u8,
    /// Tries at this rate (mac80211's `count`).
    pub count: u8,
}

/// Up to [`MAX_RATES`] rates for one frame, best first, and the band they are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxRates {
    rates: [TxRate; MAX_RATES],
    len: u8,
    /// The frame goes out on 5 GHz (the HT fallback rate is then 6 Mb/s, not 1 Mb/s).
    pub band_5g: bool,
}

impl TxRates {
    /// No rates: the engine then uses the one rate the request names.
    pub const NONE: Self = Self {
        rates: [TxRate { hw: 0, count: 0 }; MAX_RATES],
        len: 0,
        band_5g: false,
    };

    /// Appends a rate; returns `false` (and ignores it) when 4 are already there or the rate
    /// number is not one the firmware sends at (4, 5 or above 21).
    pub fn push(&mut self, r: TxRate) -> bool {
        let valid = r.hw <= hw::MCS7 && !(4..6).contains(&r.hw);
        match self.rates.get_mut(usize::from(self.len)) {
            Some(slot) if valid => {
                *slot = r;
                self.len += 1;
                true
            }
            _ => false,
        }
    }

    /// The rates given.
    pub fn as_slice(&self) -> &[TxRate] {
        self.rates.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Whether no rate was given.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A built policy: the try nibbles and what C keeps beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Built {
    /// Tries per firmware rate.
    pub tries: RateTries,
    /// Tries in all (C's `retry_count`; 0 means an unused entry).
    pub retry_count: u16,
    /// The first rate: the request's `maxTxRate`.
    pub first: u8,
}

impl Built {
    /// C's `tx_policy_is_equal`: `cached` serves a wanted policy when it defines at least
    /// the wanted rates and agrees on every nibble up to the wanted first rate.
    fn served_by(&self, cached: &Built) -> bool {
        if cached.retry_count == 0 || self.first > cached.first {
            return false;
        }
        (0..=self.first).all(|r| self.tries.tries(r) == cached.tries.tries(r))
    }
}

/// mac80211's index of a rate (the order C compares in): the MCS number for HT, the index
/// into the 2.4 GHz table (1, 2, 5.5, 11, 6 … 54) otherwise.
fn idx(hw_rate: u8) -> u8 {
    match hw_rate {
        r if r >= hw::MCS0 => r - hw::MCS0,
        r if r >= hw::RATE_6M => r - 2,
        r => r,
    }
}

/// The firmware rate of 2.4 GHz table index `i` (legacy).
fn hw_of_idx(i: u8) -> u8 {
    if i < 4 {
        i
    } else {
        i + 2
    }
}

/// Builds the policy for `rates` with retry limit `limit` (C:txrx.c:83-313 without
/// `BES2600_TX_MORE_RETRY`, which the shipped build leaves off, C:Makefile:32). Returns
/// `None` without a rate.
pub fn build(rates: &TxRates, limit: u8) -> Option<Built> {
    let mut r = [TxRate::default(); MAX_RATES];
    let given = rates.as_slice();
    let first = *given.first()?;
    // Eliminate duplicates and stop at a rate that is not lower (C's loop, by index).
    r[0] = first;
    let mut total = u32::from(first.count);
    let mut i = 0usize;
    for g in given.iter().skip(1) {
        let cur = r[i];
        if idx(g.hw) == idx(cur.hw) && (g.hw >= hw::MCS0) == (cur.hw >= hw::MCS0) {
            r[i].count = r[i].count.saturating_add(g.count);
        } else if idx(g.hw) > idx(cur.hw) {
            break;
        } else {
            i += 1;
            r[i] = *g;
        }
        total += u32::from(g.count);
    }
    let mut count = i + 1;
    // Keep every rate within the retry limit.
    let mut lim = u32::from(limit).max(count as u32);
    if total > lim {
        for (k, rk) in r.iter_mut().enumerate().take(count) {
            let left = (count - k - 1) as u32;
            let cap = lim.saturating_sub(left);
            if u32::from(rk.count) > cap {
                rk.count = u8::try_from(cap).unwrap_or(u8::MAX);
            }
            lim = lim.saturating_sub(u32::from(rk.count));
        }
    }
    let ht = r[0].hw >= hw::MCS0;
    // The 54→1 Mb/s CTS workaround: inject tries at a middle and the lowest OFDM rate.
    if count == 2 && !ht && !rates.band_5g && idx(r[0].hw) > 4 && r[0].count > 2 && idx(r[1].hw) < 2
    {
        let mid = (idx(r[0].hw) + 4) >> 1;
        r[0].count -= 2;
        if mid != 4 {
            r[3] = r[1];
            r[2] = TxRate {
                hw: hw::RATE_6M,
                count: 1,
            };
            r[1] = TxRate {
                hw: hw_of_idx(mid),
                count: 1,
            };
            if r[0].count >= 3 {
                r[0].count -= 1;
                r[2].count += 1;
            }
            count += 2;
        } else {
            r[2] = r[1];
            r[1] = TxRate {
                hw: hw::RATE_6M,
                count: 2,
            };
            count += 1;
        }
    }
    let mut b = Built {
        first: r[0].hw,
        ..Built::default()
    };
    if ht {
        // BES: tries at the lowest legacy rate behind an HT rate (C:txrx.c:225-252).
        let mcs = idx(r[0].hw);
        let sampling = count > 1 && idx(r[1].hw) == 0 && r[0].count == 1;
        let mut low = 1u8;
        if mcs < 3 {
            low += 2;
        }
        if mcs == 0 || sampling {
            low += 2;
            // C's loop leaves the first rate's count at the number of rates.
            r[0].count = u8::try_from(count).unwrap_or(u8::MAX);
        }
        let at = if rates.band_5g {
            hw::RATE_6M
        } else {
            hw::RATE_1M
        };
        b.tries.set_tries(at, low);
        b.retry_count += u16::from(low);
    }
    for x in r.iter().take(count) {
        let t = x.count.min(15);
        // C ORs the nibbles in: a rate given twice adds up bitwise, as there.
        let merged = b.tries.tries(x.hw) | t;
        b.tries.set_tries(x.hw, merged);
        b.retry_count += u16::from(t);
    }
    Some(b)
}

/// One cache entry.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    policy: Built,
    /// Frames in flight that name it.
    usage: u16,
    uploaded: bool,
    /// Last use, for the least-recently-used choice among free entries.
    stamp: u32,
}

/// What [`PolicyCache::assign`] decided for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assign {
    /// Name policy `index` with first rate `max_rate`; the firmware already has it.
    Ready {
        /// Policy index (TX flags bits 4-6).
        index: u8,
        /// The request's `maxTxRate`.
        max_rate: u8,
    },
    /// As `Ready`, but the policy must be uploaded first ([`PolicyCache::upload`]).
    Upload {
        /// Policy index.
        index: u8,
        /// The request's `maxTxRate`.
        max_rate: u8,
    },
    /// All 8 policies are in use, or [`INFLIGHT_MAX`] frames are: wait for confirms.
    Full,
}

/// The host's copy of the firmware's rate policy table, with use counts.
#[derive(Debug, Clone)]
pub struct PolicyCache {
    entries: [Entry; MAX_POLICIES],
    /// (packet id, policy index) of the frames in flight.
    inflight: [(u32, u8); INFLIGHT_MAX],
    inflight_len: usize,
    clock: u32,
    /// An upload is on its way: data waits for its confirm (C locks TX until it is done).
    pub(crate) upload_pending: bool,
}

impl Default for PolicyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl PolicyCache {
    /// An empty cache, as a constant: the engine's in-place construction copies it from
    /// read-only data instead of building it on the kernel stack (`Engine::init_in_place`).
    pub const EMPTY: PolicyCache = PolicyCache::new();

    /// An empty cache (nothing uploaded).
    pub const fn new() -> Self {
        Self {
            entries: [Entry {
                policy: Built {
                    tries: RateTries([0; 3]),
                    retry_count: 0,
                    first: 0,
                },
                usage: 0,
                uploaded: false,
                stamp: 0,
            }; MAX_POLICIES],
            inflight: [(0, 0); INFLIGHT_MAX],
            inflight_len: 0,
            clock: 0,
            upload_pending: false,
        }
    }

    /// Picks the policy for frame `packet_id` with rates `rates` (retry limit
    /// [`RETRY_LIMIT`]) and counts the frame as a user of it until [`Self::release`].
    pub fn assign(&mut self, rates: &TxRates, packet_id: u32) -> Option<Assign> {
        let wanted = build(rates, RETRY_LIMIT)?;
        if self.inflight_len >= INFLIGHT_MAX {
            return Some(Assign::Full);
        }
        self.clock = self.clock.wrapping_add(1);
        // In-use entries first, then free ones (C searches "used" before "free").
        let found = (0..MAX_POLICIES)
            .filter(|&i| self.entries[i].usage > 0)
            .chain((0..MAX_POLICIES).filter(|&i| self.entries[i].usage == 0))
            .find(|&i| wanted.served_by(&self.entries[i].policy));
        let (i, fresh) = match found {
            Some(i) => (i, false),
            None => {
                // The least recently used free entry.
                let Some(i) = (0..MAX_POLICIES)
                    .filter(|&i| self.entries[i].usage == 0)
                    .min_by_key(|&i| self.entries[i].stamp)
                else {
                    return Some(Assign::Full);
                };
                self.entries[i].policy = wanted;
                self.entries[i].uploaded = false;
                (i, true)
            }
        };
        let e = &mut self.entries[i];
        e.usage += 1;
        e.stamp = self.clock;
        // CAST: MAX_POLICIES is 8.
        let index = i as u8;
        self.inflight[self.inflight_len] = (packet_id, index);
        self.inflight_len += 1;
        let max_rate = wanted.first;
        Some(if fresh || !e.uploaded {
            Assign::Upload { index, max_rate }
        } else {
            Assign::Ready { index, max_rate }
        })
    }

    /// The frame `packet_id` was confirmed: its policy has one user less. Unknown ids (a
    /// frame sent before a restart) are ignored.
    pub fn release(&mut self, packet_id: u32) {
        let live = &self.inflight[..self.inflight_len];
        let Some(k) = live.iter().position(|&(p, _)| p == packet_id) else {
            return;
        };
        let (_, index) = self.inflight[k];
        self.inflight.copy_within(k + 1..self.inflight_len, k);
        self.inflight_len -= 1;
        if let Some(e) = self.entries.get_mut(usize::from(index)) {
            e.usage = e.usage.saturating_sub(1);
        }
    }

    /// Writes the policies not yet uploaded into `out` (MIB 0x1016 records: retry limits
    /// [`RETRY_LIMIT`], flags [`POLICY_FLAGS`]) and marks them uploaded; returns how many.
    pub fn upload(&mut self, out: &mut [RatePolicy; MAX_POLICIES]) -> usize {
        let mut n = 0;
        for (i, e) in self.entries.iter_mut().enumerate() {
            if e.policy.retry_count == 0 || e.uploaded {
                continue;
            }
            if let Some(slot) = out.get_mut(n) {
                *slot = RatePolicy {
                    // CAST: i < MAX_POLICIES = 8.
                    index: i as u8,
                    short_retry: RETRY_LIMIT,
                    long_retry: RETRY_LIMIT,
                    flags: POLICY_FLAGS,
                    rate_recovery_count: 0,
                    tries: e.policy.tries,
                };
                e.uploaded = true;
                n += 1;
            }
        }
        n
    }

    /// The firmware forgot its table (Reset 0x000A): every policy must be uploaded again.
    pub fn forget_uploads(&mut self) {
        for e in &mut self.entries {
            e.uploaded = false;
        }
    }

    /// A new firmware run: nothing uploaded, nothing in flight.
    pub fn clear(&mut self) {
        *self = Self::EMPTY;
    }

    /// Frames in flight.
    pub fn inflight(&self) -> usize {
        self.inflight_len
    }

    /// Policies that hold rates.
    pub fn defined(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.policy.retry_count > 0)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(rs: &[(u8, u8)]) -> TxRates {
        let mut t = TxRates::NONE;
        for &(hw, count) in rs {
            assert!(t.push(TxRate { hw, count }));
        }
        t
    }

    #[test]
    fn legacy_chain_keeps_every_rate_within_the_limit() {
        // 54 x 10, 48 x 10, 36 x 10, 1 x 10 = 40 tries > 31: cut from the front.
        let b = build(&rates(&[(13, 10), (12, 10), (11, 10), (0, 10)]), 31).unwrap();
        assert_eq!(b.first, 13);
        assert_eq!(
            (
                b.tries.tries(13),
                b.tries.tries(12),
                b.tries.tries(11),
                b.tries.tries(0)
            ),
            (10, 10, 10, 1)
        );
        assert_eq!(b.retry_count, 31);
    }

    #[test]
    fn duplicates_merge_and_a_higher_rate_ends_the_list() {
        let b = build(&rates(&[(10, 2), (10, 3), (12, 4)]), 31).unwrap();
        assert_eq!(b.tries.tries(10), 5);
        assert_eq!(b.tries.tries(12), 0);
    }

    #[test]
    fn cts_workaround_injects_ofdm_tries_on_2g4() {
        // 54 Mb/s x 5 then 1 Mb/s x 2 (C:txrx.c:175-216): the mid-rate (table index
        // (11 + 4) / 2 = 7, 18 Mb/s) x 1, 6 Mb/s x 2, 54 Mb/s left with 2.
        let b = build(&rates(&[(13, 5), (0, 2)]), 31).unwrap();
        assert_eq!(b.tries.tries(13), 2);
        assert_eq!(b.tries.tries(hw::RATE_18M), 1);
        assert_eq!(b.tries.tries(hw::RATE_6M), 2);
        assert_eq!(b.tries.tries(0), 2);
        let mut r5 = rates(&[(13, 5), (0, 2)]);
        r5.band_5g = true;
        assert_eq!(build(&r5, 31).unwrap().tries.tries(hw::RATE_18M), 0);
    }

    #[test]
    fn ht_gets_lowest_legacy_fallback() {
        // MCS 7 x 3, MCS 5 x 2: one try at 1 Mb/s (spec §3.9).
        let b = build(&rates(&[(21, 3), (19, 2)]), 31).unwrap();
        assert_eq!(b.tries.tries(hw::RATE_1M), 1);
        assert_eq!(b.first, 21);
        // MCS 0 on 5 GHz: 1 + 2 + 2 tries at 6 Mb/s, and the first count becomes 1 (rates).
        let mut r = rates(&[(14, 4)]);
        r.band_5g = true;
        let b = build(&r, 31).unwrap();
        assert_eq!(b.tries.tries(hw::RATE_6M), 5);
        assert_eq!(b.tries.tries(14), 1);
    }

    #[test]
    fn cache_reuses_uploads_and_evicts_only_free_entries() {
        let mut c = PolicyCache::new();
        let r = rates(&[(21, 3), (19, 3)]);
        assert_eq!(
            c.assign(&r, 1),
            Some(Assign::Upload {
                index: 0,
                max_rate: 21
            })
        );
        let mut out = [RatePolicy::default(); MAX_POLICIES];
        assert_eq!(c.upload(&mut out), 1);
        assert_eq!(out[0].tries, build(&r, 31).unwrap().tries);
        assert_eq!(c.upload(&mut out), 0);
        assert_eq!(
            c.assign(&r, 2),
            Some(Assign::Ready {
                index: 0,
                max_rate: 21
            })
        );
        // A lower first rate with the same lower nibbles is served by the same policy
        // (C's `tx_policy_is_equal`): MCS 5 x 3 with one try at 1 Mb/s.
        let lower = rates(&[(19, 3)]);
        assert_eq!(
            c.assign(&lower, 4),
            Some(Assign::Ready {
                index: 0,
                max_rate: 19
            })
        );
        c.release(4);
        // Fill all 8 with different legacy single rates while 0 is in use.
        for (k, hw) in [0u8, 1, 2, 3, 6, 7, 8].iter().enumerate() {
            let a = c.assign(&rates(&[(*hw, 4)]), 10 + k as u32).unwrap();
            assert!(matches!(a, Assign::Upload { .. }), "{a:?}");
        }
        assert_eq!(c.defined(), 8);
        assert_eq!(c.assign(&rates(&[(9, 4)]), 20), Some(Assign::Full));
        // A confirm frees policy 1's only user: it is replaced.
        c.release(10);
        assert_eq!(
            c.assign(&rates(&[(9, 4)]), 20),
            Some(Assign::Upload {
                index: 1,
                max_rate: 9
            })
        );
        // Reset: everything must be uploaded again.
        c.upload(&mut out);
        c.forget_uploads();
        assert!(matches!(
            c.assign(&r, 3),
            Some(Assign::Upload { index: 0, .. })
        ));
        assert_eq!(c.upload(&mut out), 8);
    }

    #[test]
    fn inflight_is_bounded_and_unknown_confirms_are_ignored() {
        let mut c = PolicyCache::new();
        let r = rates(&[(0, 4)]);
        for p in 0..INFLIGHT_MAX as u32 {
            assert!(c.assign(&r, p).is_some());
        }
        assert_eq!(c.assign(&r, 999), Some(Assign::Full));
        c.release(12345);
        assert_eq!(c.inflight(), INFLIGHT_MAX);
        c.release(5);
        assert!(matches!(c.assign(&r, 999), Some(Assign::Upload { .. })));
        assert_eq!(build(&TxRates::NONE, 31), None);
        let mut t = TxRates::NONE;
        assert!(!t.push(TxRate { hw: 4, count: 1 }));
        assert!(t.is_empty());
    }
}
