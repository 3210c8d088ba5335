// SPDX-License-Identifier: GPL-2.0-only
//! The SDIO bus behind the engine: CMD52/CMD53 on function 1 (spec §1.2-1.4).

use core::sync::atomic::{AtomicBool, Ordering};

use kernel::prelude::*;

use bes2600_engine::{Bus, BusError};

use crate::ffi::{self, SdioFunc};

/// SDIO block size (spec §1.2).
const BLOCK_SIZE: u32 = 512;

/// Function 1 of the chip.
pub(crate) struct SdioBus {
    func: SdioFunc,
    irq_enabled: AtomicBool,
}

fn map_err(e: Error) -> BusError {
    let errno = e.to_errno();
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

impl SdioBus {
    /// Enables the function with the chip's block size.
    pub(crate) fn new(func: SdioFunc) -> Result<Self> {
        func.enable(BLOCK_SIZE)?;
        Ok(Self {
            func,
            irq_enabled: AtomicBool::new(true),
        })
    }
}

impl Bus for SdioBus {
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError> {
        self.func.readb(reg).map_err(map_err)
    }
    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError> {
        self.func.writeb(reg, val).map_err(map_err)
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        self.func.read(addr, buf).map_err(map_err)
    }
    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        self.func.write(addr, buf).map_err(map_err)
    }
    fn set_irq_enabled(&mut self, enabled: bool) {
        // The mmc core keeps the card interrupt armed; the engine's mask is honoured by
        // not waking the BH (its RX-pending bit still records the interrupt).
        self.irq_enabled.store(enabled, Ordering::Release);
    }
    fn reset(&mut self) -> Result<(), BusError> {
        self.func.hw_reset().map_err(map_err)?;
        self.func.enable(BLOCK_SIZE).map_err(map_err)
    }
}
