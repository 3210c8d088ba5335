// SPDX-License-Identifier: GPL-2.0-only
//! Fuzzes the SDD element stream of Configuration 0x0009 (spec §3.10).
//!
//! Properties: no panic; a stream `check` accepts re-emits element by element to the same
//! bytes, and every strict prefix of it is refused.
#![no_main]

use bes2600_wire::wsm::sdd::{self, ElementRepr, Elements};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ok = sdd::check(data);
    let elements: Vec<_> = Elements::new(data).collect();
    if let Ok(s) = ok {
        assert_eq!(elements.len(), usize::from(s.elements));
        let mut out = vec![0xa5u8; data.len()];
        let mut at = 0;
        for e in elements {
            let e: ElementRepr<'_> = e.expect("a checked stream parses");
            at += e.emit(&mut out[at..]).expect("room for the same elements");
        }
        assert_eq!(&out[..at], data);
        let cut = data.len() / 2;
        assert!(sdd::check(&data[..cut]).is_err());
    }
});
