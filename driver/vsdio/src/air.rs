// SPDX-License-Identifier: GPL-2.0-only
//! The air endpoint's calls into the card (issue 16): `vsdio_air.c` serves debugfs
//! `bes2600_vsdio/air` and moves air records (`bes2600_sim::air`) through these, with the
//! module mutex held. The chip's side of air mode is `driver/sim/src/radio.rs`.

use core::ffi::c_void;

use crate::ffi::{card, SliceWriter};

extern "C" {
    fn vsdio_param_air() -> bool;
}

/// `air` module parameter: the chip runs in air mode (declared in `vsdio_air.c`).
pub(crate) fn param_air() -> bool {
    // SAFETY: reads a module parameter; no preconditions.
    unsafe { vsdio_param_air() }
}

fn errno(n: u32) -> isize {
    // CAST: errno constants are small positive numbers.
    -(n as isize)
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_air_take(c: *mut c_void, buf: *mut u8, len: usize) -> isize {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let chip = unsafe { card(c) }.card.chip();
    // SAFETY: `buf` is vsdio_air.c's kernel buffer, valid for `len` bytes and its own.
    let out = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    match chip.air_next_len() {
        Some(need) if need > len => errno(kernel::bindings::EMSGSIZE),
        // CAST: at most `len`, which came from a `size_t` of a buffer below isize::MAX.
        _ => chip.air_take(out) as isize,
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_air_give(
    c: *mut c_void,
    buf: *const u8,
    len: usize,
    hold: bool,
) -> isize {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let chip = unsafe { card(c) }.card.chip();
    // SAFETY: `buf` is vsdio_air.c's copy of the user's write, valid for `len` bytes.
    let records = unsafe { core::slice::from_raw_parts(buf, len) };
    let r = if hold {
        chip.air_give_held(records)
    } else {
        chip.air_give(records)
    };
    match r {
        // CAST: at most `len`, as above.
        Ok(n) => n as isize,
        Err(_) => errno(kernel::bindings::EINVAL),
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_air_pending(c: *mut c_void) -> bool {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    unsafe { card(c) }.card.chip().air_pending()
}

/// debugfs `air_stats`: the radio's air counters and the TX confirms they release.
fn render(chip: &bes2600_sim::SimChip, w: &mut impl core::fmt::Write) -> core::fmt::Result {
    let s = chip.counters();
    writeln!(w, "air_tx {}", s.air_tx)?;
    writeln!(w, "air_tx_dropped {}", s.air_tx_dropped)?;
    writeln!(w, "air_acked {}", s.air_acked)?;
    writeln!(w, "air_rx {}", s.air_rx)?;
    writeln!(w, "air_rx_filtered {}", s.air_rx_filtered)?;
    writeln!(w, "air_rx_overflow {}", s.air_rx_overflow)?;
    writeln!(w, "air_rx_too_long {}", s.air_rx_too_long)?;
    writeln!(w, "air_malformed {}", s.air_malformed)?;
    writeln!(w, "scans {}", s.scans)?;
    writeln!(w, "tx_requests {}", s.tx_requests)?;
    writeln!(w, "tx_confirmed {}", s.tx_confirmed)?;
    writeln!(w, "max_outstanding {}", s.max_outstanding)?;
    writeln!(w, "ctrl_overflow {}", s.ctrl_overflow)?;
    writeln!(w, "bursts {}", s.bursts)?;
    writeln!(w, "burst_msgs {}", s.burst_msgs)
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_air_render(c: *mut c_void, buf: *mut u8, len: usize) -> usize {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let chip = unsafe { card(c) }.card.chip();
    // SAFETY: `buf` is vsdio_air.c's page-sized scratch buffer, valid for `len` bytes.
    let out = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    let mut w = SliceWriter { buf: out, len: 0 };
    let _ = render(chip, &mut w);
    w.len
}
