//! The calibration text parser never panics; what it accepts round-trips through the
//! record (when the version is valid) and the text writer.
#![no_main]

use bes2600_fw::calib::{record_crc_ok, Factory};
use bes2600_fw::Crc32;
use libfuzzer_sys::fuzz_target;

struct Crc;
impl Crc32 for Crc {
    fn crc32(&self, data: &[u8]) -> u32 {
        // Bitwise zlib CRC-32; speed does not matter here.
        let mut c = !0u32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            }
        }
        !c
    }
}

struct Buf([u8; 1024], usize);
impl core::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.1 + s.len();
        self.0.get_mut(self.1..end).ok_or(core::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(f) = Factory::parse(data) else { return };
    f.sanity(|_| {});
    let rec = f.to_record(&Crc);
    assert!(record_crc_ok(&rec, &Crc));
    // The text only warns about the version (spec §2.5); the record parser refuses
    // versions outside 1..=2, like the chip's expectations.
    match Factory::from_record(&rec, &Crc) {
        Ok(back) => assert_eq!(back.calib_record(), f.calib_record()),
        Err(_) => assert!(!(1..=2).contains(&f.version)),
    }
    let mut b = Buf([0; 1024], 0);
    f.write_text(&mut b).unwrap();
    let again = Factory::parse(&b.0[..b.1]).unwrap();
    assert_eq!(again, f);
});
