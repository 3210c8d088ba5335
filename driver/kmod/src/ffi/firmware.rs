// SPDX-License-Identifier: GPL-2.0-only
//! Firmware files (`request_firmware`).

use core::ffi::c_void;
use core::ptr::{self, NonNull};

use kernel::prelude::*;

use super::hw::HwRef;
use super::{check, sys};

/// A loaded firmware file.
///
/// # Invariants
///
/// `handle` is a `struct firmware` from `request_firmware` whose `len` bytes at `data` stay
/// valid and unchanged until `Drop` releases it, once.
pub(crate) struct Firmware {
    handle: *mut c_void,
    data: *const u8,
    len: usize,
}

// SAFETY: A firmware image is immutable and may be released from any process context.
unsafe impl Send for Firmware {}
// SAFETY: Only shared reads of immutable bytes.
unsafe impl Sync for Firmware {}

impl Firmware {
    /// Takes over a `struct firmware` the shim hands to Rust.
    ///
    /// # Safety
    ///
    /// `handle` is a `struct firmware` nobody else releases, with `len` readable bytes at
    /// `data`.
    pub(super) unsafe fn from_raw(
        handle: *mut c_void,
        data: *const u8,
        len: usize,
    ) -> Option<Self> {
        if handle.is_null() || data.is_null() {
            return None;
        }
        // INVARIANT: guaranteed by the caller.
        Some(Self { handle, data, len })
    }

    /// Requests `name` for the wiphy of `hw` (process context; may sleep).
    pub(super) fn request(hw: HwRef, name: &CStr, optional: bool) -> Result<Self> {
        let mut handle: *mut c_void = ptr::null_mut();
        let mut data: *const u8 = ptr::null();
        let mut len: usize = 0;
        // SAFETY: The hw is valid (`HwRef` invariant); the out-pointers are valid; `name` is
        // NUL-terminated.
        check(unsafe {
            sys::bes_fw_request(
                hw.0.as_ptr(),
                name.as_char_ptr(),
                optional,
                &mut handle,
                &mut data,
                &mut len,
            )
        })?;
        if handle.is_null() || data.is_null() {
            return Err(EINVAL);
        }
        Ok(Self { handle, data, len })
    }

    /// The file contents.
    pub(crate) fn data(&self) -> &[u8] {
        // SAFETY: `len` readable bytes at `data`, valid until release (type invariant).
        unsafe { core::slice::from_raw_parts(self.data, self.len) }
    }
}

impl Drop for Firmware {
    fn drop(&mut self) {
        // SAFETY: The handle came from `bes_fw_request` and is released once (type
        // invariant).
        unsafe { sys::bes_fw_release(self.handle) }
    }
}

/// A pending `request_firmware_nowait`: dropping it waits until the driver's
/// `firmware_loaded` callback has returned.
///
/// # Invariants
///
/// The pointer came from `bes_fw_request_async`; the shim calls back with the driver pointer
/// given there exactly once, and `Drop` waits for that call and frees the request.
pub(crate) struct FwAsync(NonNull<sys::bes_fw_async>);

// SAFETY: Waiting for a completion may happen in any process context.
unsafe impl Send for FwAsync {}
// SAFETY: No method takes `&self`.
unsafe impl Sync for FwAsync {}

impl FwAsync {
    /// Queues the request; `drv` must stay valid until the value is dropped.
    pub(super) fn request(hw: HwRef, name: &CStr, drv: *mut c_void) -> Result<Self> {
        // SAFETY: The hw is valid (`HwRef` invariant); `name` is NUL-terminated (the firmware
        // loader copies it); `drv` outlives the callback because the owner drops this value
        // (which waits for the callback) before freeing the device.
        let p = unsafe { sys::bes_fw_request_async(hw.0.as_ptr(), name.as_char_ptr(), drv) };
        NonNull::new(p).map(Self).ok_or(ENOMEM)
    }
}

impl Drop for FwAsync {
    fn drop(&mut self) {
        // SAFETY: Queued by `bes_fw_request_async` and waited for and freed once (type
        // invariant).
        unsafe { sys::bes_fw_async_wait(self.0.as_ptr()) }
    }
}
