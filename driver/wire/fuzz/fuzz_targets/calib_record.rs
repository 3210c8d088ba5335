// SPDX-License-Identifier: GPL-2.0-only
//! Fuzzes the 72-byte calibration record (spec §2.6).
//!
//! Properties: no panic; a record that parses re-emits to the same bytes except the CRC
//! word, and the re-emitted record passes the CRC check and parses to the same value.
#![no_main]

use bes2600_wire::calib::{CalibRecord, Crc32, RECORD_LEN};
use libfuzzer_sys::fuzz_target;

struct Crc;
impl Crc32 for Crc {
    fn crc32(&self, data: &[u8]) -> u32 {
        crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(data)
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = CalibRecord::parse_with_crc(data, &Crc);
    if let Ok(r) = CalibRecord::parse(data) {
        let _ = r.first_insane();
        let mut b = [0u8; RECORD_LEN];
        r.emit(&mut b, &Crc).expect("72-byte buffer");
        assert_eq!(&b[..4], &data[..4]);
        assert_eq!(&b[8..], &data[8..RECORD_LEN]);
        assert_eq!(CalibRecord::parse_with_crc(&b, &Crc), Ok(r));
    }
});
