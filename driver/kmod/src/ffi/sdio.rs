// SPDX-License-Identifier: GPL-2.0-only
//! The SDIO driver registration and function 1 of the chip.

use core::ptr::NonNull;

use kernel::prelude::*;

use super::adapter::{Adapter, Driver};
use super::{check, sys};

/// The SDIO driver registration (unregistered on drop).
///
/// # Invariants
///
/// `bes_sdio_register` succeeded with a `'static` callback table; `Drop` unregisters once.
pub(crate) struct SdioDriverReg(());

impl SdioDriverReg {
    /// Registers the `bes2600_wlan` SDIO driver (0xBE57:0x2002) with `T`'s callbacks.
    pub(crate) fn register<T: Driver>() -> Result<Self> {
        // SAFETY: The table is a `'static` constant whose entries match the header's
        // prototypes (the adapter's `extern "C"` functions); registration is paired with the
        // unregister in `Drop`.
        check(unsafe { sys::bes_sdio_register(Adapter::<T>::vtable()) })?;
        Ok(Self(()))
    }
}

impl Drop for SdioDriverReg {
    fn drop(&mut self) {
        // SAFETY: Registered in `register` (type invariant).
        unsafe { sys::bes_sdio_unregister() }
    }
}

/// An SDIO function handed to probe.
///
/// # Invariants
///
/// The pointer is the `sdio_func` the MMC core gave to probe; it is valid until remove
/// returns, and the driver drops every copy before that.
#[derive(Clone, Copy)]
pub(crate) struct SdioFunc(pub(super) NonNull<sys::sdio_func>);

// SAFETY: The shim's `bes_sdio_*` helpers claim the host themselves, so they may be called
// from any process context.
unsafe impl Send for SdioFunc {}
// SAFETY: As for `Send`.
unsafe impl Sync for SdioFunc {}

impl SdioFunc {
    /// Enables the function and sets its block size.
    pub(crate) fn enable(self, block: u32) -> Result {
        // SAFETY: The function is valid between probe and remove (type invariant).
        check(unsafe { sys::bes_sdio_enable(self.0.as_ptr(), block) })
    }

    /// Disables the function.
    pub(crate) fn disable(self) {
        // SAFETY: The function is valid (type invariant).
        unsafe { sys::bes_sdio_disable(self.0.as_ptr()) }
    }

    /// CMD52 read.
    pub(crate) fn readb(self, addr: u32) -> Result<u8> {
        let mut v = 0u8;
        // SAFETY: The function is valid (type invariant); the out-pointer is valid.
        check(unsafe { sys::bes_sdio_readb(self.0.as_ptr(), addr, &mut v) })?;
        Ok(v)
    }

    /// CMD52 write.
    pub(crate) fn writeb(self, addr: u32, v: u8) -> Result {
        // SAFETY: The function is valid (type invariant).
        check(unsafe { sys::bes_sdio_writeb(self.0.as_ptr(), addr, v) })
    }

    /// CMD53 read into `buf`.
    pub(crate) fn read(self, addr: u32, buf: &mut [u8]) -> Result {
        // SAFETY: The function is valid (type invariant); `buf` is writable for its length.
        check(unsafe { sys::bes_sdio_read(self.0.as_ptr(), addr, buf.as_mut_ptr(), buf.len()) })
    }

    /// CMD53 write of `buf`.
    pub(crate) fn write(self, addr: u32, buf: &[u8]) -> Result {
        // SAFETY: The function is valid (type invariant); `buf` is readable for its length.
        check(unsafe { sys::bes_sdio_write(self.0.as_ptr(), addr, buf.as_ptr(), buf.len()) })
    }

    /// One block-mode CMD53 write of `buf` (whole blocks) with address field `addr`.
    pub(crate) fn write_blocks(self, addr: u32, buf: &[u8]) -> Result {
        // SAFETY: The function is valid (type invariant); `buf` is readable for its length
        // and, like every bus buffer of the module, kmalloc'ed (the shim maps it with
        // `sg_init_one`).
        check(unsafe { sys::bes_sdio_write_blocks(self.0.as_ptr(), addr, buf.as_ptr(), buf.len()) })
    }

    /// Claims the SDIO interrupt (the handler calls the driver's `sdio_irq`).
    pub(crate) fn claim_irq(self) -> Result {
        // SAFETY: The function is valid (type invariant); the handler checks drvdata for
        // NULL, so claiming before drvdata is set is harmless.
        check(unsafe { sys::bes_sdio_claim_irq(self.0.as_ptr()) })
    }

    /// Releases the SDIO interrupt.
    pub(crate) fn release_irq(self) {
        // SAFETY: The function is valid (type invariant).
        unsafe { sys::bes_sdio_release_irq(self.0.as_ptr()) }
    }

    /// Resets the card (`mmc_hw_reset`).
    pub(crate) fn hw_reset(self) -> Result {
        // SAFETY: The function is valid (type invariant).
        check(unsafe { sys::bes_sdio_hw_reset(self.0.as_ptr()) })
    }
}
