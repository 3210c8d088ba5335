//! The image parser never panics, and what it accepts is self-consistent.
#![no_main]

use bes2600_fw::image::{Image, TRAILER_LEN};
use bes2600_fw::Crc32;
use libfuzzer_sys::fuzz_target;

struct Sum;
impl Crc32 for Sum {
    fn crc32(&self, data: &[u8]) -> u32 {
        data.iter().fold(0u32, |a, &b| a.rotate_left(5) ^ u32::from(b))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(img) = Image::parse(data, &Sum) else { return };
    assert_eq!(img.code().len() + TRAILER_LEN, data.len());
    assert_eq!(img.crc(), Sum.crc32(img.code()));
    assert_ne!(img.load_addr(), 0);
    if let Some(v) = img.version() {
        assert!(v.len() >= 4 && v.iter().all(|b| (0x20..0x7f).contains(b)));
    }
    let _ = img.entry_class();
});
