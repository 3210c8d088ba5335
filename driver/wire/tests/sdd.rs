// SPDX-License-Identifier: GPL-2.0-only
//! Property tests of the SDD element stream (spec §3.10): element round trips, and
//! `check` on generated well-formed streams and on every truncation of them.

use bes2600_wire::wsm::sdd::{
    self, section, ElementId, ElementRepr, Elements, SectionHeader, ELEMENT_ALIGN,
};
use bes2600_wire::Error;
use proptest::prelude::*;

/// Payload lengths that keep an element 4-byte rounded: 2, 6, 10, ...
fn aligned_payload() -> impl Strategy<Value = Vec<u8>> {
    (0usize..=62).prop_flat_map(|k| prop::collection::vec(any::<u8>(), 2 + 4 * k))
}

/// An element id that is not structural (version, section header, end of content).
fn content_id() -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter("structural id", |&i| !matches!(i, 0xC0 | 0xC1 | 0xFE))
}

fn push(out: &mut Vec<u8>, id: ElementId, payload: &[u8]) {
    let r = ElementRepr { id, payload };
    let at = out.len();
    out.resize(at + r.buffer_len().unwrap(), 0xa5);
    r.emit(&mut out[at..]).unwrap();
}

/// A well-formed SDD: version, `sections` sections of content elements, the last section.
fn sdd() -> impl Strategy<Value = (Vec<u8>, usize)> {
    let section = prop::collection::vec((content_id(), aligned_payload()), 0..6);
    (any::<(u8, u8)>(), prop::collection::vec(section, 0..4)).prop_map(|(v, sections)| {
        let mut out = Vec::new();
        push(&mut out, ElementId::Version, &[v.0, v.1]);
        for (i, elems) in sections.iter().enumerate() {
            let len = 8 + 4 + elems.iter().map(|(_, p)| 2 + p.len()).sum::<usize>();
            let h = SectionHeader {
                id: i as u8,
                major: 1,
                minor: 0,
                len: len as u16,
            };
            push(&mut out, ElementId::SectionHeader, &h.to_bytes());
            for (id, p) in elems {
                push(&mut out, ElementId::from(*id), p);
            }
            push(&mut out, ElementId::EndOfContent, &[0, 0]);
        }
        let last = SectionHeader {
            id: section::LAST,
            major: 0,
            minor: 0,
            len: 0,
        };
        push(&mut out, ElementId::SectionHeader, &last.to_bytes());
        (out, sections.len())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn element_round_trip(id in any::<u8>(), payload in prop::collection::vec(any::<u8>(), 0..=255)) {
        let r = ElementRepr { id: ElementId::from(id), payload: &payload };
        let mut buf = vec![0xa5u8; r.buffer_len().unwrap()];
        prop_assert_eq!(r.emit(&mut buf), Ok(buf.len()));
        prop_assert_eq!(ElementRepr::parse(&buf), Ok(r));
        prop_assert_eq!(u8::from(r.id), id);
    }

    #[test]
    fn well_formed_streams_pass((bytes, sections) in sdd()) {
        let s = sdd::check(&bytes).unwrap();
        prop_assert_eq!(usize::from(s.sections), sections);
        prop_assert_eq!(s.section_len_mismatches, 0);
        prop_assert!(bytes.len().is_multiple_of(ELEMENT_ALIGN));
        let n = Elements::new(&bytes).map(|e| e.map(|_| ())).collect::<Result<Vec<()>, Error>>();
        prop_assert_eq!(n.map(|v| v.len()), Ok(usize::from(s.elements)));
    }

    #[test]
    fn every_truncation_fails((bytes, _) in sdd(), cut in any::<prop::sample::Index>()) {
        let at = cut.index(bytes.len());
        prop_assert!(sdd::check(&bytes[..at]).is_err());
    }
}
