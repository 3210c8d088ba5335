// SPDX-License-Identifier: GPL-2.0-only
//! The air endpoint's calls into the card (issue 16): `vsdio_air.c` serves debugfs
//! `bes2600_vsdio/air` and moves air records (`bes2600_sim::air`) through these, with the
//! module mutex held. The chip's side of air mode is `driver/sim/src/radio.rs`.

use core::ffi::c_void;

use crate::ffi::card;

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
unsafe extern "C" fn vsdio_rs_air_give(c: *mut c_void, buf: *const u8, len: usize) -> isize {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let chip = unsafe { card(c) }.card.chip();
    // SAFETY: `buf` is vsdio_air.c's copy of the user's write, valid for `len` bytes.
    let records = unsafe { core::slice::from_raw_parts(buf, len) };
    match chip.air_give(records) {
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
