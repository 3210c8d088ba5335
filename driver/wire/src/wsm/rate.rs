// SPDX-License-Identifier: GPL-2.0-only
//! Hardware rate indices and the TX rate-retry policy table of MIB 0x1016 (spec §3.9).

use super::common::Band;
use crate::field::{check_zero, le32, set_le32};
use crate::list::Record;
use crate::{Error, Result};

/// Hardware rate indices (spec §3.9). 4 and 5 (PBCC 22/33) are unused.
pub mod hw {
    /// 1 Mb/s.
    pub const RATE_1M: u8 = 0;
    /// 2 Mb/s.
    pub const RATE_2M: u8 = 1;
    /// 5.5 Mb/s.
    pub const RATE_5M5: u8 = 2;
    /// 11 Mb/s.
    pub const RATE_11M: u8 = 3;
    /// 6 Mb/s.
    pub const RATE_6M: u8 = 6;
    /// 9 Mb/s.
    pub const RATE_9M: u8 = 7;
    /// 12 Mb/s.
    pub const RATE_12M: u8 = 8;
    /// 18 Mb/s.
    pub const RATE_18M: u8 = 9;
    /// 24 Mb/s.
    pub const RATE_24M: u8 = 10;
    /// 36 Mb/s.
    pub const RATE_36M: u8 = 11;
    /// 48 Mb/s.
    pub const RATE_48M: u8 = 12;
    /// 54 Mb/s.
    pub const RATE_54M: u8 = 13;
    /// HT MCS 0; MCS n is `MCS0 + n` up to MCS 7 = 21.
    pub const MCS0: u8 = 14;
    /// HT MCS 7.
    pub const MCS7: u8 = 21;
    /// Number of rate nibbles in a policy (24).
    pub const COUNT: u8 = 24;
}

/// The hw rate index of HT MCS `mcs` (0-7).
pub const fn mcs(mcs: u8) -> Option<u8> {
    if mcs <= 7 {
        Some(hw::MCS0 + mcs)
    } else {
        None
    }
}

/// The lowest legacy rate the BES fallback adds for HT: 1 M on 2.4 GHz, 6 M on 5 GHz (§3.9).
pub fn lowest_legacy(band: Band) -> u8 {
    if band == Band::Band5G {
        hw::RATE_6M
    } else {
        hw::RATE_1M
    }
}

/// Tries the BES HT fallback adds at the lowest legacy rate: 1, +2 when MCS < 3, +2 more
/// for MCS 0 or a sampling rate (spec §3.9).
pub const fn ht_fallback_tries(mcs: u8, sampling: bool) -> u8 {
    let mut n = 1;
    if mcs < 3 {
        n += 2;
    }
    if mcs == 0 || sampling {
        n += 2;
    }
    n
}

/// Policy flags the driver uses: 0x0C (stop when used up; first attempt counts; §3.9).
pub const POLICY_FLAGS: u8 = 0x0C;
/// Short and long retry limits with `BES2600_TX_RX_OPT` (shipped, §3.9).
pub const RETRY_LIMIT: u8 = 31;
/// The host caches 8 policies; the TX flags carry a 3-bit index (§3.9).
pub const MAX_POLICIES: usize = 8;

/// The 24 try-count nibbles of a policy: nibble n = tries at hw rate n, in 3 u32 (§3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RateTries(pub [u32; 3]);

impl RateTries {
    /// Tries at hw rate `rate` (0 for rates above 23).
    pub const fn tries(&self, rate: u8) -> u8 {
        if rate >= hw::COUNT {
            return 0;
        }
        let w = self.0[(rate / 8) as usize];
        ((w >> (4 * (rate % 8))) & 0xF) as u8
    }

    /// Sets tries at hw rate `rate` (clamped to 15; rates above 23 are ignored).
    pub fn set_tries(&mut self, rate: u8, tries: u8) {
        if rate >= hw::COUNT {
            return;
        }
        let shift = 4 * u32::from(rate % 8);
        let w = &mut self.0[usize::from(rate / 8)];
        *w = (*w & !(0xF << shift)) | (u32::from(tries.min(15)) << shift);
    }
}

/// One 20-byte policy of MIB 0x1016 (spec §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RatePolicy {
    /// Policy index (0-7).
    pub index: u8,
    /// Short retry count.
    pub short_retry: u8,
    /// Long retry count.
    pub long_retry: u8,
    /// Policy flags ([`POLICY_FLAGS`]).
    pub flags: u8,
    /// Rate recovery count.
    pub rate_recovery_count: u8,
    /// Tries per rate.
    pub tries: RateTries,
}

impl Record for RatePolicy {
    const LEN: usize = 20;

    fn parse(b: &[u8]) -> Result<Self> {
        let b = b.get(..Self::LEN).ok_or(Error::Truncated)?;
        if usize::from(b[0]) >= MAX_POLICIES {
            return Err(Error::BadValue);
        }
        check_zero(&b[5..8])?;
        Ok(RatePolicy {
            index: b[0],
            short_retry: b[1],
            long_retry: b[2],
            flags: b[3],
            rate_recovery_count: b[4],
            tries: RateTries([le32(&b[8..]), le32(&b[12..]), le32(&b[16..])]),
        })
    }

    fn emit(&self, b: &mut [u8]) {
        b[..8].copy_from_slice(&[
            self.index,
            self.short_retry,
            self.long_retry,
            self.flags,
            self.rate_recovery_count,
            0,
            0,
            0,
        ]);
        for (i, w) in self.tries.0.iter().enumerate() {
            set_le32(&mut b[8 + 4 * i..], *w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nibbles() {
        let mut t = RateTries::default();
        t.set_tries(hw::MCS7, 3); // rate 21: word 2, shift 20
        t.set_tries(hw::RATE_1M, 20); // clamped to 15
        t.set_tries(hw::RATE_54M, 2); // rate 13: word 1, shift 20
        assert_eq!(t.0, [0x0000_000F, 0x0020_0000, 0x0030_0000]);
        assert_eq!(t.tries(hw::MCS7), 3);
        assert_eq!(t.tries(hw::RATE_1M), 15);
        t.set_tries(30, 1);
        assert_eq!(t.tries(30), 0);
    }

    #[test]
    fn policy_record_golden() {
        let mut tries = RateTries::default();
        tries.set_tries(mcs(0).unwrap(), 3);
        tries.set_tries(lowest_legacy(Band::Band2G4), ht_fallback_tries(0, false));
        let p = RatePolicy {
            index: 2,
            short_retry: RETRY_LIMIT,
            long_retry: RETRY_LIMIT,
            flags: POLICY_FLAGS,
            rate_recovery_count: 0,
            tries,
        };
        #[rustfmt::skip]
        let g: [u8; 20] = [
            2, 31, 31, 0x0C, 0, 0, 0, 0,
            0x05, 0, 0, 0,          // 1 M: 5 tries
            0, 0, 0, 0x03,          // rate 14 (MCS0): word 1, shift 24
            0, 0, 0, 0,
        ];
        assert_eq!(RatePolicy::parse(&g), Ok(p));
        let mut b = [0xa5u8; 20];
        p.emit(&mut b);
        assert_eq!(b, g);
        let mut bad = g;
        bad[0] = 8;
        assert_eq!(RatePolicy::parse(&bad), Err(Error::BadValue));
        let mut bad = g;
        bad[6] = 1;
        assert_eq!(RatePolicy::parse(&bad), Err(Error::Reserved));
    }

    #[test]
    fn ht_fallback() {
        assert_eq!(ht_fallback_tries(0, false), 5);
        assert_eq!(ht_fallback_tries(2, false), 3);
        assert_eq!(ht_fallback_tries(3, false), 1);
        assert_eq!(ht_fallback_tries(5, true), 3);
        assert_eq!(lowest_legacy(Band::Band5G), hw::RATE_6M);
        assert_eq!(mcs(8), None);
    }
}
