// SPDX-License-Identifier: GPL-2.0-only
//! The device memory shared with C: the hw's driver pointer, the SDIO drvdata, the BH
//! thread's argument and the debugfs files' private pointer all point at it.

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::Ordering;

use kernel::prelude::*;

use super::adapter::Driver;
use super::bh::Bh;
use super::firmware::FwAsync;
use super::sdio::SdioFunc;
use super::sys;

/// Owns the heap device shared with C.
///
/// # Invariants
///
/// `ptr` came from `KBox::into_raw` in [`DevicePtr::publish`] and is freed only by `Drop`,
/// after the hw is unregistered (which removes the debugfs files with the wiphy), the BH has
/// stopped and the firmware request (if any) has called back, so no C path can reach it
/// afterwards. `bh` is `Some` from publish until [`DevicePtr::stop_bh`].
pub(crate) struct DevicePtr<T: Driver> {
    ptr: NonNull<T>,
    bh: Option<Bh>,
    fw: Option<FwAsync>,
}

// SAFETY: `T: Driver` is `Sync`, and the pointer is owned.
unsafe impl<T: Driver> Send for DevicePtr<T> {}
// SAFETY: As for `Send`; `&self` methods only hand out `&T`.
unsafe impl<T: Driver> Sync for DevicePtr<T> {}

impl<T: Driver> DevicePtr<T> {
    /// Leaks `dev` to C: sets the hw's driver pointer and starts the BH thread on it.
    pub(crate) fn publish(dev: KBox<T>, name: &CStr) -> Result<Self> {
        let raw = KBox::into_raw(dev);
        // SAFETY: `raw` came from `KBox::into_raw` just above, so it is non-null.
        let ptr = unsafe { NonNull::new_unchecked(raw) };
        // INVARIANT: freed only by `Drop` (this value owns it from here on).
        let mut me = Self {
            ptr,
            bh: None,
            fw: None,
        };
        let d = me.get();
        d.hw().set_drv(raw.cast());
        let bh = Bh::start(raw.cast(), name)?;
        // INVARIANT (`BhLink`): set while the BH lives, cleared in `stop_bh` before it stops.
        d.bh_link().0.store(bh.as_ptr(), Ordering::Release);
        me.bh = Some(bh);
        Ok(me)
    }

    /// The device.
    pub(crate) fn get(&self) -> &T {
        // SAFETY: Valid from publish until `Drop` frees it (type invariant).
        unsafe { self.ptr.as_ref() }
    }

    /// Requests firmware file `name` without waiting: [`Driver::firmware_loaded`] gets it
    /// later, in a worker. Without a queued request it is called here, with `None`.
    pub(crate) fn request_firmware_async(&mut self, name: &CStr) {
        self.wait_firmware();
        match FwAsync::request(self.get().hw().r(), name, self.ptr.as_ptr().cast()) {
            Ok(f) => self.fw = Some(f),
            Err(_) => self.get().firmware_loaded(None),
        }
    }

    /// Waits until a pending firmware request has called back (idempotent).
    pub(crate) fn wait_firmware(&mut self) {
        self.fw = None;
    }

    /// Sets the SDIO function's drvdata to this device (the IRQ handler's argument).
    pub(crate) fn set_sdio_drvdata(&self, func: SdioFunc) {
        // SAFETY: The function is valid (`SdioFunc` invariant); the owner clears drvdata with
        // `clear_sdio_drvdata` before the device is freed.
        unsafe { sys::bes_sdio_set_drvdata(func.0.as_ptr(), self.ptr.as_ptr().cast()) }
    }

    /// Clears the SDIO function's drvdata.
    pub(crate) fn clear_sdio_drvdata(&self, func: SdioFunc) {
        // SAFETY: The function is valid (`SdioFunc` invariant).
        unsafe { sys::bes_sdio_set_drvdata(func.0.as_ptr(), ptr::null_mut::<c_void>()) }
    }

    /// Stops the BH thread (idempotent).
    pub(crate) fn stop_bh(&mut self) {
        self.get().bh_link().clear();
        self.bh = None;
    }

    /// Mutable access to the BH state once the BH is stopped (teardown).
    pub(crate) fn with_bh_state<R>(&mut self, f: impl FnOnce(&mut T::BhState) -> R) -> Option<R> {
        if self.bh.is_some() {
            return None;
        }
        // SAFETY: The BH thread is stopped (`kthread_stop` returned), so nothing else
        // accesses the cell (`BhCell` invariant); `&mut self` excludes other callers.
        Some(f(unsafe { &mut *self.get().bh_cell().0.get() }))
    }
}

impl<T: Driver> Drop for DevicePtr<T> {
    fn drop(&mut self) {
        // The order of `Driver` teardown: no firmware callback, then no BH, then no hw.
        self.wait_firmware();
        self.stop_bh();
        self.get().unregister();
        // SAFETY: Produced by `KBox::into_raw` in publish; C no longer holds it (firmware
        // request done, BH stopped, hw unregistered with its debugfs files; the owner cleared
        // drvdata); freed once.
        drop(unsafe { KBox::from_raw(self.ptr.as_ptr()) });
    }
}
