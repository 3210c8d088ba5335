// SPDX-License-Identifier: GPL-2.0-only
//! The bus under the engine: [`SdioBus`] implements the engine's `Bus` over any
//! [`Function`], the small set of SDIO function-1 operations the chip needs; the kernel's
//! `sdio_func` ([`ffi::SdioFunc`]) is the one implementation.

use kernel::prelude::*;

use crate::ffi;

mod sdio;

pub(crate) use sdio::SdioBus;

/// SDIO function 1 as the bus adapter uses it (CMD52, CMD53, reset, interrupt claim).
pub(crate) trait Function: Copy {
    /// Enables the function with `block` bytes per block.
    fn enable(self, block: u32) -> Result;
    /// CMD52 read.
    fn readb(self, addr: u32) -> Result<u8>;
    /// CMD52 write.
    fn writeb(self, addr: u32, v: u8) -> Result;
    /// CMD53 read (byte mode up to a block, the MMC core's choice above).
    fn read(self, addr: u32, buf: &mut [u8]) -> Result;
    /// CMD53 write (as `read`).
    fn write(self, addr: u32, buf: &[u8]) -> Result;
    /// One block-mode CMD53 write of whole blocks.
    fn write_blocks(self, addr: u32, buf: &[u8]) -> Result;
    /// Power-cycles the card.
    fn hw_reset(self) -> Result;
    /// Claims the card interrupt.
    fn claim_irq(self) -> Result;
    /// Releases the card interrupt.
    fn release_irq(self);
}

impl Function for ffi::SdioFunc {
    fn enable(self, block: u32) -> Result {
        ffi::SdioFunc::enable(self, block)
    }
    fn readb(self, addr: u32) -> Result<u8> {
        ffi::SdioFunc::readb(self, addr)
    }
    fn writeb(self, addr: u32, v: u8) -> Result {
        ffi::SdioFunc::writeb(self, addr, v)
    }
    fn read(self, addr: u32, buf: &mut [u8]) -> Result {
        ffi::SdioFunc::read(self, addr, buf)
    }
    fn write(self, addr: u32, buf: &[u8]) -> Result {
        ffi::SdioFunc::write(self, addr, buf)
    }
    fn write_blocks(self, addr: u32, buf: &[u8]) -> Result {
        ffi::SdioFunc::write_blocks(self, addr, buf)
    }
    fn hw_reset(self) -> Result {
        ffi::SdioFunc::hw_reset(self)
    }
    fn claim_irq(self) -> Result {
        ffi::SdioFunc::claim_irq(self)
    }
    fn release_irq(self) {
        ffi::SdioFunc::release_irq(self)
    }
}
