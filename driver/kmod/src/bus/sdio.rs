// SPDX-License-Identifier: GPL-2.0-only
//! The SDIO bus behind the engine: CMD52/CMD53 on function 1 (spec §1.2-1.4), shaped as
//! the vendor driver shapes them (driver/vsdio/README.md, the conformance table).
//!
//! - The CMD53 address field is the caller's (the transfer length, plus slot code and
//!   toggle once the firmware runs), in the download too (spec errata 9).
//! - A transfer over 512 bytes is one block-mode CMD53 padded to whole 512-byte blocks
//!   (C:bes2600_sdio.c:181-251): the MMC core's `sdio_memcpy_*` sends one block-mode
//!   command when it is handed a whole number of blocks, so longer transfers go through a
//!   zero-padded bounce buffer instead of being split into blocks plus a byte-mode tail.
//! - 512 bytes or less go in byte mode (C:bes2600_sdio.c:286-331), except Wi-Fi TX writes:
//!   those are always one block-mode CMD53, a single 512-byte slot included
//!   (C:bes2600_sdio.c:977-1030; spec errata 2). The download marks its own writes
//!   ([`SdioBus::set_download`]).

use core::sync::atomic::{AtomicBool, Ordering};

use kernel::prelude::*;

use bes2600_engine::{Bus, BusError};

use super::Function;
use crate::ffi;

/// SDIO block size (spec §1.2).
const BLOCK_SIZE: u32 = 512;
const BLOCK: usize = 512;
/// Largest transfer: the vendor's MAX_SDIO_TRANSFER_LEN (C:hwio.h:298); RX bursts and TX
/// writes stay below it (spec §1.5-1.7).
const MAX_TRANSFER: usize = 32 * 1024;

/// Function 1 of the chip.
pub(crate) struct SdioBus<F: Function = ffi::SdioFunc> {
    func: F,
    irq_enabled: AtomicBool,
    /// Zero-padded staging for transfers that are not whole blocks.
    bounce: KVec<u8>,
    /// Writes are boot-ROM download frames (byte mode up to 512 bytes), not Wi-Fi TX.
    download: bool,
    /// The MMC core answered `-ENOMEDIUM`: the card is gone (removed), nothing on this bus
    /// can succeed until remove.
    gone: AtomicBool,
}

/// The engine's view of a failed transfer; notes a removed card in `gone`.
fn fault(gone: &AtomicBool, e: Error) -> BusError {
    let errno = e.to_errno();
    if errno == ffi::errno(ffi::ENOMEDIUM).to_errno() {
        gone.store(true, Ordering::Release);
    }
    if errno == ffi::errno(ffi::EILSEQ).to_errno() {
        BusError::Crc
    } else if errno == ffi::errno(ffi::ETIMEDOUT).to_errno() {
        BusError::Timeout
    } else if errno == EBUSY.to_errno() {
        BusError::Busy
    } else {
        BusError::Io
    }
}

/// The data-phase length of a transfer of `len` bytes: itself up to one block, whole
/// blocks above.
fn padded_len(len: usize) -> usize {
    if len <= BLOCK {
        len
    } else {
        len.div_ceil(BLOCK) * BLOCK
    }
}

impl<F: Function> SdioBus<F> {
    /// Enables the function with the chip's block size.
    pub(crate) fn new(func: F) -> Result<Self> {
        let bounce = KVec::from_elem(0u8, MAX_TRANSFER, GFP_KERNEL)?;
        func.enable(BLOCK_SIZE)?;
        Ok(Self {
            func,
            irq_enabled: AtomicBool::new(true),
            bounce,
            download: false,
            gone: AtomicBool::new(false),
        })
    }

    /// The card was removed (a transfer got `-ENOMEDIUM`): recovery is pointless.
    pub(crate) fn card_gone(&self) -> bool {
        self.gone.load(Ordering::Acquire)
    }

    /// Marks the writes that follow as download frames (`true`) or Wi-Fi TX (`false`).
    pub(crate) fn set_download(&mut self, on: bool) {
        self.download = on;
    }
}

impl<F: Function> Bus for SdioBus<F> {
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError> {
        self.func.readb(reg).map_err(|e| fault(&self.gone, e))
    }
    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError> {
        self.func.writeb(reg, val).map_err(|e| fault(&self.gone, e))
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        let n = padded_len(buf.len());
        if n == buf.len() {
            return self.func.read(addr, buf).map_err(|e| fault(&self.gone, e));
        }
        let stage = self.bounce.get_mut(..n).ok_or(BusError::Io)?;
        self.func
            .read(addr, stage)
            .map_err(|e| fault(&self.gone, e))?;
        let got = stage.get(..buf.len()).ok_or(BusError::Io)?;
        buf.copy_from_slice(got);
        Ok(())
    }
    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        if !self.download {
            // The engine's TX writes are whole 512-byte slots (spec §1.7).
            return self
                .func
                .write_blocks(addr, buf)
                .map_err(|e| fault(&self.gone, e));
        }
        let n = padded_len(buf.len());
        if n == buf.len() {
            return self.func.write(addr, buf).map_err(|e| fault(&self.gone, e));
        }
        let stage = self.bounce.get_mut(..n).ok_or(BusError::Io)?;
        let (head, pad) = stage.split_at_mut(buf.len());
        head.copy_from_slice(buf);
        // Padding is zeros, never leftovers (spec errata "also found": C sends stale bytes).
        pad.fill(0);
        self.func
            .write(addr, stage)
            .map_err(|e| fault(&self.gone, e))
    }
    fn set_irq_enabled(&mut self, enabled: bool) {
        self.irq_enabled.store(enabled, Ordering::Release);
    }
    fn reset(&mut self) -> Result<(), BusError> {
        self.func.hw_reset().map_err(|e| fault(&self.gone, e))?;
        self.func
            .enable(BLOCK_SIZE)
            .map_err(|e| fault(&self.gone, e))?;
        // The power cycle cleared the card's interrupt enables (CCCR IEN): claim again.
        self.func.release_irq();
        self.func.claim_irq().map_err(|e| fault(&self.gone, e))
    }
}
