//! The bus seam: what the engine needs from the SDIO function (spec §1), and nothing more.
//!
//! Implemented by the kernel module's SDIO adapter (`kmod::bus::sdio`), by its in-kernel
//! simulated bus (`kmod::bus::sim`), and on the host by `bes2600_sim::SimChip`.

/// Why a bus access failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusError {
    /// CRC error on the data lines (`-EILSEQ`); the caller may retry (spec §1.5: up to 10×).
    Crc,
    /// The card did not answer in time (`-ETIMEDOUT`).
    Timeout,
    /// The host controller is busy (`-EBUSY`); never answered with a force close (spec §7 #8).
    Busy,
    /// Any other I/O failure; the bus must be reset before further use.
    Io,
}

/// Register and data access to function 1 of the chip's SDIO interface.
///
/// Every method is called from the one bottom-half context that owns the bus; none of them
/// is called concurrently. Addresses for CMD53 are the *address field* the chip expects
/// (transfer length, TX slot code and toggle bit, spec §1.3), built by `bes2600_wire::sdio`.
pub trait Bus {
    /// CMD52 read of one byte from function-1 register `reg` (spec §1.4).
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError>;

    /// CMD52 write of one byte to function-1 register `reg` (spec §1.4).
    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError>;

    /// One CMD53 read of `buf.len()` bytes with CMD53 address field `addr`.
    ///
    /// `buf.len()` is already rounded as the chip requires (whole 512-byte blocks for a
    /// burst, spec §1.3 errata 2).
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError>;

    /// One CMD53 write of `buf` with CMD53 address field `addr` (length, slot code, toggle).
    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError>;

    /// Masks (`false`) or unmasks (`true`) the chip's SDIO interrupt towards the engine.
    fn set_irq_enabled(&mut self, enabled: bool);

    /// Power-cycles or resets the chip so that it restarts in its boot ROM (spec §5.5).
    ///
    /// After `Ok`, the firmware must be downloaded again.
    fn reset(&mut self) -> Result<(), BusError>;
}
