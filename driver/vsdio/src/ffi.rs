// SPDX-License-Identifier: GPL-2.0-only
//! The only `unsafe` code of bes2600_vsdio.ko: the C host's functions (`vsdio.h`), the
//! `vsdio_rs_*` callbacks it makes into the card, and in-place boxing of the card.

use core::ffi::{c_int, c_void};
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use kernel::prelude::*;

use crate::SimCard;

extern "C" {
    fn vsdio_module_init(card: *mut c_void) -> c_int;
    fn vsdio_module_exit();
    fn vsdio_call_on_big_stack(f: Option<extern "C" fn(*mut c_void)>, arg: *mut c_void) -> c_int;
    fn vsdio_param_rate_kbps() -> u32;
    fn vsdio_param_privacy() -> bool;
}

/// `rate_kbps` module parameter.
pub(crate) fn param_rate_kbps() -> u32 {
    // SAFETY: reads a module parameter; no preconditions.
    unsafe { vsdio_param_rate_kbps() }
}

/// `privacy` module parameter.
pub(crate) fn param_privacy() -> bool {
    // SAFETY: reads a module parameter; no preconditions.
    unsafe { vsdio_param_privacy() }
}

fn check(ret: c_int) -> Result {
    if ret == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(ret))
    }
}

/// The registered host (platform driver and device) and the card it owns.
///
/// # Invariants
///
/// `card` came from `KBox::into_raw` and was given to a successful `vsdio_module_init`;
/// C touches it only under its module mutex, across any number of host rebinds, until
/// `vsdio_module_exit` in `drop`.
pub(crate) struct Host {
    card: NonNull<SimCard>,
}

// SAFETY: the card is only used through the C module, which serialises every access with
// its mutex; this object is just its owner.
unsafe impl Send for Host {}
// SAFETY: as for `Send`: no method touches the card without the C module's serialisation.
unsafe impl Sync for Host {}

impl Host {
    /// Registers the virtual host's platform driver and device; the host binds at once and
    /// the MMC core then enumerates the card. Only one `Host` may exist (the C state is a
    /// single module-level instance): the module creates it once, in `init`.
    pub(crate) fn add(card: KBox<SimCard>) -> Result<Self> {
        let raw = KBox::into_raw(card);
        // SAFETY: `raw` is a live, exclusively owned card; no other `Host` exists.
        let ret = unsafe { vsdio_module_init(raw.cast()) };
        match (check(ret), NonNull::new(raw)) {
            (Ok(()), Some(card)) => Ok(Self { card }),
            (r, _) => {
                // SAFETY: init failed and unwound, so C holds no reference to `raw`, which
                // came from `KBox::into_raw` above.
                drop(unsafe { KBox::from_raw(raw) });
                r.and(Err(EINVAL))
            }
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        // SAFETY: by the type invariant init succeeded; after this call C no longer calls
        // into the card (the host is unbound, its clock stopped, debugfs removed).
        unsafe { vsdio_module_exit() };
        // SAFETY: by the type invariant `card` came from `KBox::into_raw` and C dropped
        // its last use of it in `vsdio_module_exit` above.
        let card = unsafe { KBox::from_raw(self.card.as_ptr()) };
        pr_info!(
            "bes2600_vsdio: removed, {} contract violations\n",
            card.violations()
        );
    }
}

/// Allocates a `KBox<T>` and lets `init` write the value straight into it, on a 512 KiB
/// temporary stack (the card's by-value constructor needs far more than the 16 KiB
/// kernel stack; see driver/kmod/README.md "Known limitation"). `init` runs with IRQs off
/// and must return the reference `MaybeUninit::write` gave back (checked).
pub(crate) fn kbox_in_place<T>(init: fn(&mut MaybeUninit<T>) -> &mut T) -> Result<KBox<T>> {
    struct Job<'a, T> {
        f: fn(&mut MaybeUninit<T>) -> &mut T,
        slot: &'a mut MaybeUninit<T>,
        ok: bool,
    }
    extern "C" fn tramp<T>(arg: *mut c_void) {
        // SAFETY: `arg` is the `&mut Job` passed below, exclusively ours for the call.
        let job = unsafe { &mut *arg.cast::<Job<'_, T>>() };
        let want: *const T = job.slot.as_ptr();
        let done: *const T = (job.f)(&mut *job.slot);
        job.ok = ptr::eq(want, done);
    }
    let mut b = KBox::<T>::new_uninit(GFP_KERNEL)?;
    let mut job = Job {
        f: init,
        slot: &mut *b,
        ok: false,
    };
    // SAFETY: `tramp` matches the callback type; `job` outlives the synchronous call.
    check(unsafe { vsdio_call_on_big_stack(Some(tramp::<T>), ptr::addr_of_mut!(job).cast()) })?;
    if !job.ok {
        core::mem::forget(b);
        return Err(EINVAL);
    }
    // SAFETY: `init` returned the `&mut T` that `MaybeUninit::write` produced for this
    // very slot (pointer equality checked in `tramp`), so the value is initialised.
    Ok(unsafe { b.assume_init() })
}

/// The card behind a C `void *`.
///
/// # Safety
///
/// `card` must be the pointer given to `vsdio_module_init`, and the caller must hold the
/// module's mutex (every `vsdio_rs_*` call from `vsdio_host.c` does), so the returned
/// reference is the only one for the call.
pub(crate) unsafe fn card<'a>(card: *mut c_void) -> &'a mut SimCard {
    // SAFETY: guaranteed by the caller, see above.
    unsafe { &mut *card.cast::<SimCard>() }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_command(
    c: *mut c_void,
    now_ns: u64,
    opcode: u32,
    arg: u32,
    resp: *mut u32,
) -> c_int {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let card = unsafe { card(c) };
    match card.command(now_ns, opcode, arg) {
        Ok(r) => {
            // SAFETY: `resp` points at the request's `cmd->resp[0]`.
            unsafe { resp.write(r) };
            0
        }
        Err(e) => e,
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_cmd53(
    c: *mut c_void,
    now_ns: u64,
    arg: u32,
    blksz: u32,
    blocks: u32,
    buf: *mut u8,
    len: usize,
    resp: *mut u32,
) -> c_int {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let card = unsafe { card(c) };
    // SAFETY: `buf` is the host's bounce buffer, valid for `len` bytes and used by nobody
    // else while the mutex is held.
    let data = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    match card.cmd53(now_ns, arg, blksz, blocks, data) {
        Ok(r) => {
            // SAFETY: `resp` points at the request's `cmd->resp[0]`.
            unsafe { resp.write(r) };
            0
        }
        Err(e) => e,
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_tick(c: *mut c_void, now_ns: u64) -> bool {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    unsafe { card(c) }.tick(now_ns)
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_power(c: *mut c_void, on: bool) -> bool {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    unsafe { card(c) }.power(on)
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_inject(c: *mut c_void, code: u32) -> c_int {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    match unsafe { card(c) }.inject(code) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_wake(c: *mut c_void, now_ns: u64, level: bool) -> bool {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    unsafe { card(c) }.card.set_wake(level, now_ns)
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_violations(c: *mut c_void) -> u64 {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    unsafe { card(c) }.violations()
}

/// Writes into a byte slice, truncating at its end (also used by `air.rs`).
pub(crate) struct SliceWriter<'a> {
    pub(crate) buf: &'a mut [u8],
    pub(crate) len: usize,
}

impl core::fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.buf.len().saturating_sub(self.len);
        let n = s.len().min(room);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + n),
            s.as_bytes().get(..n),
        ) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        Ok(())
    }
}

#[no_mangle]
unsafe extern "C" fn vsdio_rs_render(c: *mut c_void, buf: *mut u8, len: usize) -> usize {
    // SAFETY: called by the C module with its mutex held and its card pointer.
    let card = unsafe { card(c) };
    // SAFETY: `buf` is the host's page-sized scratch buffer, valid for `len` bytes.
    let out = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    let mut w = SliceWriter { buf: out, len: 0 };
    let _ = card.render(&mut w);
    w.len
}
