// SPDX-License-Identifier: GPL-2.0-only
//! The air endpoint's calls into the card (issue 16): `vsdio_air.c` serves debugfs
//! `bes2600_vsdio/air` and moves air records (`bes2600_sim::air`) through these, with the
//! module mutex held. The chip's side of air mode is `driver/sim/src/radio.rs`.

use core::ffi::c_void;

use bes2600_sim::crypto::{CcmBackend, CCMP_MIC_LEN, NONCE_LEN};

use crate::ffi::{card, SliceWriter};

extern "C" {
    fn vsdio_param_air() -> bool;
    fn vsdio_crypto_ccm(
        slot: u8,
        key: *const u8,
        nonce: *const u8,
        aad: *const u8,
        aad_len: usize,
        data: *mut u8,
        len: usize,
        tag: *mut u8,
        encrypt: bool,
    ) -> core::ffi::c_int;
}

/// The chip's AES-CCM: the kernel crypto API's `ccm(aes)` (`vsdio_crypto.c`).
struct KernelCcm;

static KERNEL_CCM: KernelCcm = KernelCcm;

impl CcmBackend for KernelCcm {
    fn encrypt(
        &self,
        slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &mut [u8; CCMP_MIC_LEN],
    ) -> bool {
        // SAFETY: every pointer comes from a live Rust reference with the length passed
        // beside it (key 16, nonce 13, tag 8 bytes, as vsdio_crypto.c reads them); C checks
        // the lengths against its bounce buffer and only works on the module mutex's
        // caller's behalf, which holds it here.
        let r = unsafe {
            vsdio_crypto_ccm(
                slot,
                key.as_ptr(),
                nonce.as_ptr(),
                aad.as_ptr(),
                aad.len(),
                data.as_mut_ptr(),
                data.len(),
                mic.as_mut_ptr(),
                true,
            )
        };
        r == 0
    }

    fn decrypt(
        &self,
        slot: u8,
        key: &[u8; 16],
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        data: &mut [u8],
        mic: &[u8; CCMP_MIC_LEN],
    ) -> bool {
        // C only reads the tag when decrypting; it takes one pointer for both directions.
        let mut tag = *mic;
        // SAFETY: as in `encrypt`.
        let r = unsafe {
            vsdio_crypto_ccm(
                slot,
                key.as_ptr(),
                nonce.as_ptr(),
                aad.as_ptr(),
                aad.len(),
                data.as_mut_ptr(),
                data.len(),
                tag.as_mut_ptr(),
                false,
            )
        };
        r == 0
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_air_crypto(c: *mut c_void) {
    // SAFETY: called by vsdio_air.c with the module mutex held and its card pointer.
    unsafe { card(c) }
        .card
        .chip()
        .set_crypto_backend(&KERNEL_CCM);
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
    writeln!(w, "burst_msgs {}", s.burst_msgs)?;
    // The firmware's CCMP (driver/sim/src/crypto.rs): the e2e's `fw_ccmp_*` fields.
    let c = chip.crypto_counters();
    writeln!(w, "ccmp_encrypted {}", c.ccmp_encrypted)?;
    writeln!(w, "ccmp_decrypted {}", c.ccmp_decrypted)?;
    writeln!(w, "ccmp_replays {}", c.ccmp_replays)?;
    writeln!(w, "ccmp_mic_failures {}", c.ccmp_mic_failures)?;
    writeln!(w, "crypto_no_key {}", c.no_key)?;
    writeln!(w, "tx_no_crypto_room {}", c.tx_no_room)?;
    writeln!(w, "crypto_unsupported {}", c.unsupported)
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
