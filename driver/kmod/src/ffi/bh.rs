// SPDX-License-Identifier: GPL-2.0-only
//! The bottom-half kthread: one per device, woken by the SDIO interrupt and mac80211.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;

use super::{check, sys};

/// State owned by the bottom-half thread alone.
///
/// # Invariants
///
/// `&mut` access to the contents exists only on the BH thread while it runs (the adapter's
/// `bh_main`) and in the teardown after the thread has been stopped
/// (`DevicePtr::with_bh_state`), never both.
pub(crate) struct BhCell<T>(pub(super) UnsafeCell<T>);

// SAFETY: Access is confined to one thread at a time (type invariant).
unsafe impl<T: Send> Sync for BhCell<T> {}

impl<T> BhCell<T> {
    /// Wraps the state.
    pub(crate) fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }
}

/// The kthread handle (owned: stopped on drop).
///
/// # Invariants
///
/// The pointer came from `bes_bh_start` and is stopped and freed only by `Drop`; the driver
/// pointer it was started with outlives it.
pub(crate) struct Bh(NonNull<sys::bes_bh>);

// SAFETY: The shim's BH functions may be called from any process context.
unsafe impl Send for Bh {}
// SAFETY: As for `Send`.
unsafe impl Sync for Bh {}

/// A non-owning reference used to wake the BH from other contexts.
///
/// # Invariants
///
/// Non-null only while the [`Bh`] it points to is alive: `DevicePtr` sets it after the start
/// and clears it before the stop.
#[derive(Default)]
pub(crate) struct BhLink(pub(super) AtomicPtr<sys::bes_bh>);

/// The BH thread's own view of its handle.
///
/// # Invariants
///
/// Created only by the adapter on the BH thread, for that thread's handle, which lives
/// until the thread has returned.
#[derive(Clone, Copy)]
pub(crate) struct BhSelf(pub(super) NonNull<sys::bes_bh>);

impl Bh {
    /// Starts the BH kthread for `drv`, which must stay valid until the `Bh` is dropped
    /// (`DevicePtr` stops the BH before freeing the device).
    pub(super) fn start(drv: *mut c_void, name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; `drv` outlives the thread (see above).
        let p = unsafe { sys::bes_bh_start(drv, name.as_char_ptr()) };
        NonNull::new(p).map(Self).ok_or(ENOMEM)
    }

    pub(super) fn as_ptr(&self) -> *mut sys::bes_bh {
        self.0.as_ptr()
    }
}

impl Drop for Bh {
    fn drop(&mut self) {
        // SAFETY: Stops the thread, waits for it and frees the handle, once (type invariant).
        unsafe { sys::bes_bh_stop(self.0.as_ptr()) }
    }
}

impl BhLink {
    /// Wakes the BH if it is running.
    pub(crate) fn wake(&self) {
        let p = self.0.load(Ordering::Acquire);
        if !p.is_null() {
            // SAFETY: Non-null means the BH handle is alive (type invariant).
            unsafe { sys::bes_bh_wake(p) }
        }
    }

    /// System sleep: holds the BH at its next wait between passes (`true`; returns once it
    /// is held) or lets it run again (`false`). Nothing to do without a BH.
    ///
    /// # Errors
    ///
    /// `EBUSY` when the BH did not reach a wait within 5 s (it is then not parked).
    pub(crate) fn park(&self, on: bool) -> Result {
        let p = self.0.load(Ordering::Acquire);
        if p.is_null() {
            return Ok(());
        }
        // SAFETY: Non-null means the BH handle is alive (type invariant); the PM callbacks
        // that call this are serialised with remove, which clears the link before it stops
        // the BH.
        check(unsafe { sys::bes_bh_park(p, on) })
    }

    pub(super) fn clear(&self) {
        self.0.store(ptr::null_mut(), Ordering::Release);
    }
}

impl BhSelf {
    /// Whether the calling BH thread has been asked to stop.
    pub(crate) fn should_stop(self) -> bool {
        // SAFETY: A `BhSelf` exists only on its BH kthread (type invariant), where
        // `kthread_should_stop` is meaningful.
        unsafe { sys::bes_bh_should_stop() != 0 }
    }

    /// Sleeps until woken or `timeout_ns`; `false` when the thread must exit.
    pub(crate) fn wait(self, timeout_ns: u64) -> bool {
        // SAFETY: Called on the BH thread itself while its handle is alive (type invariant).
        unsafe { sys::bes_bh_wait(self.0.as_ptr(), timeout_ns) != 0 }
    }
}
