// SPDX-License-Identifier: GPL-2.0-only
//! Fuzzes the RX burst splitter (spec §1.5) and the device-side TX slot reader (§1.7).
//!
//! Properties: no panic; every message lies inside the buffer and is at least a header
//! long; at most 16 messages; `validate` agrees with iteration; re-laying the messages out
//! as a fresh burst splits back into the same messages.
#![no_main]

use bes2600_wire::align4;
use bes2600_wire::sdio::{round_up_blocks, Burst, TxSlots};
use bes2600_wire::wsm::{self, decode, Direction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut msgs = Vec::new();
    let mut err = None;
    for m in Burst::new(data) {
        match m {
            Ok(m) => msgs.push(m),
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    assert!(msgs.len() <= 16);
    match (Burst::new(data).validate(), err) {
        (Ok(n), None) => assert_eq!(n, msgs.len()),
        (Err(a), Some(b)) => assert_eq!(a, b),
        other => panic!("validate disagrees with iteration: {other:?}"),
    }
    for m in &msgs {
        assert!(m.len() >= wsm::HEADER_LEN && m.len() <= data.len());
        if let Ok((id, body)) = wsm::split(m) {
            let _ = decode(id, body, Direction::ToHost);
        }
    }
    if err.is_none() && !msgs.is_empty() {
        let mut again = vec![0u8; round_up_blocks(msgs.iter().map(|m| align4(m.len())).sum())];
        let mut pos = 0;
        for m in &msgs {
            again[pos..pos + m.len()].copy_from_slice(m);
            pos += align4(m.len());
        }
        let back: Vec<&[u8]> = Burst::new(&again)
            .map(|m| m.expect("re-laid burst splits"))
            .collect();
        assert_eq!(back, msgs);
    }
    // The same bytes as a TX write, with the first two bytes as the length field.
    if let [a, b, rest @ ..] = data {
        if let Ok(slots) = TxSlots::new(u16::from_le_bytes([*a, *b]), rest) {
            let count = slots.slot_count();
            assert!(count <= 16);
            for s in slots.flatten() {
                assert!(s.msg.len() <= s.slot.len());
            }
        }
    }
});
