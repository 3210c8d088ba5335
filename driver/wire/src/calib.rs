// SPDX-License-Identifier: GPL-2.0-only
//! The 72-byte factory calibration record written to 0x2008B000 (spec §2.5 item 4, §2.6).
//!
//! Parsing the text file `bes2600_factory.txt` belongs to the firmware loader; this module
//! only knows the binary record. The CRC-32 over bytes 8..71 is computed through the
//! [`Crc32`] trait so that the no_std core carries no CRC dependency.

use crate::field::{le16, le32, set_le16, set_le32};
use crate::{Error, Result};

/// Record length.
pub const RECORD_LEN: usize = 72;
/// Magic in bytes 0-1.
pub const MAGIC: u16 = 0xBA80;
/// Where the boot ROM session writes the record (spec §2.5).
pub const LOAD_ADDR: u32 = 0x2008_B000;
/// The CRC covers bytes 8..72 (the 64-byte data part).
pub const CRC_RANGE: core::ops::Range<usize> = 8..RECORD_LEN;

/// Standard reflected CRC-32 (zlib `crc32`; spec §2.2), provided by the caller.
pub trait Crc32 {
    /// CRC-32 of `data`.
    fn crc32(&self, data: &[u8]) -> u32;
}

view! {
    /// View of the 72-byte record (offsets from spec §2.6).
    pub struct RecordView;
    min_len = RECORD_LEN;
    /// Magic (0xBA80).
    magic / set_magic: u16 = 0;
    /// Version (1-2).
    version / set_version: u16 = 2;
    /// CRC-32 over bytes 8..72.
    crc / set_crc: u32 = 4;
    /// IQ offset.
    iq_offset / set_iq_offset: u32 = 8;
    /// Frequency calibration.
    freq_cal / set_freq_cal: u16 = 12;
    /// 2.4 GHz TX power, channels 1/7/13 (3 × u16).
    tx_power_ch / set_tx_power_ch: [u8; 6] = 14;
    /// Frequency calibration flags.
    freq_cal_flags / set_freq_cal_flags: u8 = 20;
    /// TX power type.
    tx_power_type / set_tx_power_type: u8 = 21;
    /// Temperature.
    temperature / set_temperature: u16 = 22;
    /// 5 GHz TX power (13 × u16).
    tx_power_ch_5g / set_tx_power_ch_5g: [u8; 26] = 24;
    /// 5 GHz TX power flags.
    tx_power_flags_5g / set_tx_power_flags_5g: u16 = 50;
    /// BT TX power: bdr_div, bdr_power, edr_div, edr_power (4 × u32).
    bt_tx_power / set_bt_tx_power: [u8; 16] = 52;
    /// 5 GHz temperature.
    temperature_5g / set_temperature_5g: u16 = 68;
    /// Select efuse.
    select_efuse / set_select_efuse: u16 = 70;
}

/// The calibration record without magic and CRC, which `emit` derives (spec §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CalibRecord {
    /// Version (1 or 2).
    pub version: u16,
    /// IQ offset.
    pub iq_offset: u32,
    /// Frequency calibration (sane range 1..=0x1FF).
    pub freq_cal: u16,
    /// 2.4 GHz TX power for channels 1, 7, 13 (sane range 1..=0x3FFF).
    pub tx_power_ch: [u16; 3],
    /// Frequency calibration flags.
    pub freq_cal_flags: u8,
    /// TX power type.
    pub tx_power_type: u8,
    /// Temperature.
    pub temperature: u16,
    /// 5 GHz TX power per channel group.
    pub tx_power_ch_5g: [u16; 13],
    /// 5 GHz TX power flags.
    pub tx_power_flags_5g: u16,
    /// BT TX power: bdr_div (5), bdr_power (1..=0x20), edr_div (5), edr_power (1..=0x20).
    pub bt_tx_power: [u32; 4],
    /// 5 GHz temperature.
    pub temperature_5g: u16,
    /// Select efuse.
    pub select_efuse: u16,
}

/// A field that fails the driver's sanity ranges (warnings only in C, spec §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Insane {
    /// freq_cal outside 1..=0x1FF.
    FreqCal,
    /// A 2.4 GHz power outside 1..=0x3FFF.
    TxPower,
    /// A BT divider other than 5.
    BtDiv,
    /// A BT power outside 1..=0x20.
    BtPower,
}

fn u16s<const N: usize>(b: &[u8]) -> [u16; N] {
    core::array::from_fn(|i| le16(&b[2 * i..]))
}

fn put_u16s(b: &mut [u8], v: &[u16]) {
    for (c, x) in b.chunks_exact_mut(2).zip(v) {
        set_le16(c, *x);
    }
}

impl CalibRecord {
    /// The defaults the C driver writes into a new file: version 2, freq_cal 0xA0, all
    /// powers 0x1400, BT {5, 0x10, 5, 0x15} (spec §2.6).
    pub const fn driver_default() -> Self {
        CalibRecord {
            version: 2,
            iq_offset: 0,
            freq_cal: 0xA0,
            tx_power_ch: [0x1400; 3],
            freq_cal_flags: 0,
            tx_power_type: 0,
            temperature: 0,
            tx_power_ch_5g: [0x1400; 13],
            tx_power_flags_5g: 0,
            bt_tx_power: [5, 0x10, 5, 0x15],
            temperature_5g: 0,
            select_efuse: 0,
        }
    }

    /// Parses a record, checking magic and version; the CRC is not checked (the shipped
    /// build has `FACTORY_CRC_CHECK=n`). Use [`CalibRecord::parse_with_crc`] to check it.
    ///
    /// # Errors
    ///
    /// `Truncated` below 72 bytes, `BadValue` for a wrong magic or a version outside 1..=2.
    pub fn parse(b: &[u8]) -> Result<Self> {
        let v = RecordView::new_checked(b)?;
        if v.magic() != MAGIC || !(1..=2).contains(&v.version()) {
            return Err(Error::BadValue);
        }
        let bt = v.bt_tx_power();
        Ok(CalibRecord {
            version: v.version(),
            iq_offset: v.iq_offset(),
            freq_cal: v.freq_cal(),
            tx_power_ch: u16s(&v.tx_power_ch()),
            freq_cal_flags: v.freq_cal_flags(),
            tx_power_type: v.tx_power_type(),
            temperature: v.temperature(),
            tx_power_ch_5g: u16s(&v.tx_power_ch_5g()),
            tx_power_flags_5g: v.tx_power_flags_5g(),
            bt_tx_power: core::array::from_fn(|i| le32(&bt[4 * i..])),
            temperature_5g: v.temperature_5g(),
            select_efuse: v.select_efuse(),
        })
    }

    /// Parses a record and checks its CRC.
    ///
    /// # Errors
    ///
    /// As [`CalibRecord::parse`], plus `Checksum` on a CRC mismatch.
    pub fn parse_with_crc(b: &[u8], crc: &impl Crc32) -> Result<Self> {
        let r = Self::parse(b)?;
        let v = RecordView::new_unchecked(b);
        if v.crc() != crc.crc32(&b[CRC_RANGE]) {
            return Err(Error::Checksum);
        }
        Ok(r)
    }

    /// Writes the 72-byte record with magic and a freshly computed CRC (the driver always
    /// recomputes it before sending, spec §2.5).
    ///
    /// # Errors
    ///
    /// `BufferTooSmall` below 72 bytes.
    pub fn emit(&self, b: &mut [u8], crc: &impl Crc32) -> Result<()> {
        let b = b.get_mut(..RECORD_LEN).ok_or(Error::BufferTooSmall)?;
        let mut v = RecordView::new_unchecked(&mut b[..]);
        v.set_magic(MAGIC);
        v.set_version(self.version);
        v.set_iq_offset(self.iq_offset);
        v.set_freq_cal(self.freq_cal);
        let mut p = [0u8; 6];
        put_u16s(&mut p, &self.tx_power_ch);
        v.set_tx_power_ch(p);
        v.set_freq_cal_flags(self.freq_cal_flags);
        v.set_tx_power_type(self.tx_power_type);
        v.set_temperature(self.temperature);
        let mut p5 = [0u8; 26];
        put_u16s(&mut p5, &self.tx_power_ch_5g);
        v.set_tx_power_ch_5g(p5);
        v.set_tx_power_flags_5g(self.tx_power_flags_5g);
        let mut bt = [0u8; 16];
        for (c, x) in bt.chunks_exact_mut(4).zip(&self.bt_tx_power) {
            set_le32(c, *x);
        }
        v.set_bt_tx_power(bt);
        v.set_temperature_5g(self.temperature_5g);
        v.set_select_efuse(self.select_efuse);
        let c = crc.crc32(&b[CRC_RANGE]);
        set_le32(&mut b[4..], c);
        Ok(())
    }

    /// The first field outside the driver's sanity ranges, if any (C only warns).
    pub fn first_insane(&self) -> Option<Insane> {
        if !(1..=0x1FF).contains(&self.freq_cal) {
            return Some(Insane::FreqCal);
        }
        if self.tx_power_ch.iter().any(|p| !(1..=0x3FFF).contains(p)) {
            return Some(Insane::TxPower);
        }
        let [bdr_div, bdr_pwr, edr_div, edr_pwr] = self.bt_tx_power;
        if bdr_div != 5 || edr_div != 5 {
            return Some(Insane::BtDiv);
        }
        if !(1..=0x20).contains(&bdr_pwr) || !(1..=0x20).contains(&edr_pwr) {
            return Some(Insane::BtPower);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test CRC comes from the `crc` crate (dev-dependency), not from this crate.
    struct TestCrc;
    impl Crc32 for TestCrc {
        fn crc32(&self, data: &[u8]) -> u32 {
            crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(data)
        }
    }

    /// The shipped file's values (spec §2.6, S): freq_cal 0x100, flags 1, type 0xFF.
    fn shipped() -> CalibRecord {
        CalibRecord {
            freq_cal: 0x100,
            freq_cal_flags: 1,
            tx_power_type: 0xFF,
            ..CalibRecord::driver_default()
        }
    }

    /// Golden record written field by field from the §2.6 offset table.
    fn golden() -> [u8; 72] {
        let mut g = [0u8; 72];
        g[0..2].copy_from_slice(&[0x80, 0xBA]);
        g[2..4].copy_from_slice(&[2, 0]);
        g[12..14].copy_from_slice(&[0x00, 0x01]);
        for i in 0..3 {
            g[14 + 2 * i..16 + 2 * i].copy_from_slice(&[0x00, 0x14]);
        }
        g[20] = 1;
        g[21] = 0xFF;
        for i in 0..13 {
            g[24 + 2 * i..26 + 2 * i].copy_from_slice(&[0x00, 0x14]);
        }
        g[52..68].copy_from_slice(&[5, 0, 0, 0, 0x10, 0, 0, 0, 5, 0, 0, 0, 0x15, 0, 0, 0]);
        let c = TestCrc.crc32(&g[8..]);
        g[4..8].copy_from_slice(&c.to_le_bytes());
        g
    }

    #[test]
    fn check_value_of_test_crc() {
        // The standard CRC-32 check value, so the trait is fed the right algorithm.
        assert_eq!(TestCrc.crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn deconstruct() {
        let g = golden();
        let v = RecordView::new_checked(&g[..]).unwrap();
        assert_eq!(v.magic(), MAGIC);
        assert_eq!(v.freq_cal(), 0x100);
        assert_eq!(v.tx_power_type(), 0xFF);
        assert_eq!(v.select_efuse(), 0);
    }

    #[test]
    fn parse_emit_golden() {
        let g = golden();
        assert_eq!(CalibRecord::parse_with_crc(&g, &TestCrc), Ok(shipped()));
        let mut b = [0xa5u8; 72];
        shipped().emit(&mut b, &TestCrc).unwrap();
        assert_eq!(b, g);
        for n in 0..72 {
            assert_eq!(CalibRecord::parse(&g[..n]), Err(Error::Truncated));
        }
        assert_eq!(
            shipped().emit(&mut b[..71], &TestCrc),
            Err(Error::BufferTooSmall)
        );
    }

    #[test]
    fn refuses_bad_magic_version_crc() {
        let mut g = golden();
        g[0] = 0x81;
        assert_eq!(CalibRecord::parse(&g), Err(Error::BadValue));
        let mut g = golden();
        g[2] = 3;
        assert_eq!(CalibRecord::parse(&g), Err(Error::BadValue));
        let mut g = golden();
        g[2] = 0;
        assert_eq!(CalibRecord::parse(&g), Err(Error::BadValue));
        let mut g = golden();
        g[70] = 1; // a data byte changes, the CRC does not
        assert!(CalibRecord::parse(&g).is_ok());
        assert_eq!(
            CalibRecord::parse_with_crc(&g, &TestCrc),
            Err(Error::Checksum)
        );
    }

    #[test]
    fn sanity() {
        assert_eq!(shipped().first_insane(), None);
        assert_eq!(
            CalibRecord {
                freq_cal: 0x200,
                ..shipped()
            }
            .first_insane(),
            Some(Insane::FreqCal)
        );
        assert_eq!(
            CalibRecord {
                tx_power_ch: [0, 1, 1],
                ..shipped()
            }
            .first_insane(),
            Some(Insane::TxPower)
        );
        assert_eq!(
            CalibRecord {
                bt_tx_power: [4, 0x10, 5, 0x15],
                ..shipped()
            }
            .first_insane(),
            Some(Insane::BtDiv)
        );
        assert_eq!(
            CalibRecord {
                bt_tx_power: [5, 0x21, 5, 0x15],
                ..shipped()
            }
            .first_insane(),
            Some(Insane::BtPower)
        );
    }
}
