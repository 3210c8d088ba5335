// SPDX-License-Identifier: GPL-2.0-only
//! Fuzzes boot-ROM frames and the reply check (spec §2.3).
//!
//! Properties: no panic; a reply that passes the check parses as a REPLY with that seq
//! and status 0; any parsed frame round-trips through `emit_padded`.
#![no_main]

use bes2600_wire::bootrom::{check_reply, Frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&seq, frame)) = data.split_first() else {
        return;
    };
    if check_reply(frame, seq).is_ok() {
        assert_eq!(Frame::parse(frame), Ok(Frame::Reply { seq, status: 0 }));
    }
    if let Ok(f) = Frame::parse(frame) {
        let mut buf = vec![0xa5u8; f.buffer_len() + 1024];
        let n = f.emit_padded(&mut buf).expect("emit into a large buffer");
        assert!(n >= 512 && n % 512 == 0);
        assert!(buf[f.buffer_len()..n].iter().all(|&b| b == 0));
        assert_eq!(Frame::parse(&buf[..n]), Ok(f));
    }
});
