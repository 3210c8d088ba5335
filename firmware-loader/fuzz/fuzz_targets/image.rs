//! The image parser, the structural checks and the known-build lookup never panic, and
//! what they accept is self-consistent.
#![no_main]

use bes2600_fw::image::{check, known, Image, ImageRepr, ImageView, TRAILER_LEN};
use bes2600_fw::{sha256, Crc32};
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
        // The vendor scan needs only the three letters of a month name.
        assert!(v.len() >= 3 && v.iter().all(|b| (0x20..0x7f).contains(b)));
    }
    let _ = img.entry_class();
    // parse(emit(repr)) round-trips over the same bytes.
    let repr = img.repr();
    let mut copy = data.to_vec();
    repr.emit(&mut ImageView::new_unchecked(&mut copy[..])).unwrap();
    assert_eq!(copy, data);
    assert_eq!(ImageRepr::parse(&ImageView::new_unchecked(data)), Ok(repr));
    // A defect-free image loads inside the RAM window and names one address twice.
    if check::check(&img).is_empty() {
        assert!((check::RAM_START..check::RAM_END).contains(&img.load_addr()));
        assert_eq!(img.header().exec_addr, img.trailer());
        assert!(img.stamp().is_some());
    }
    let d = sha256::sha256(data);
    let _ = known::classify(&img, None, &d);
});
