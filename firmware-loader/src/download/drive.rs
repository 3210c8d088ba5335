// SPDX-License-Identifier: GPL-2.0-only
//! The one loop that performs a [`Loader`]'s actions on a bus (issue 14, item 5).
//!
//! The kernel module, the simulator harness and this crate's tests all bring the chip up
//! through [`drive`], each with its own [`Port`]: the module's port is the SDIO function and
//! the kernel clock, the harness's is the simulated chip on a virtual clock. So the host
//! tests exercise the path the module runs, including the bus rules that live here and
//! nowhere else:
//!
//! - the CMD53 address of every download write and reply read is the transfer's byte count
//!   (spec errata 9; C:bes2600_sdio.c:286-331 byte mode, 340-352 and 181-183 block mode);
//! - register reads are single bytes of function 1 at the addresses of spec §1.4
//!   ([`REG_SLAVE_RX_BUF_CNT`], [`REG_SLAVE_RX_BUF_LEN`], [`REG_REPLY_LEN`],
//!   [`REG_SLAVE_STATUS`]), multi-byte values little-endian.

use super::{
    Action, Error, Event, Loader, Outcome, REG_REPLY_LEN, REG_SLAVE_RX_BUF_CNT,
    REG_SLAVE_RX_BUF_LEN, REG_SLAVE_STATUS,
};
use crate::crc::Crc32;

/// A bus access failed; the port has already said why (log, counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusFault;

/// What [`drive`] needs from a bus and a clock.
pub trait Port {
    /// CMD52 read of one function-1 register.
    ///
    /// # Errors
    ///
    /// [`BusFault`] when the transfer failed.
    fn read_reg8(&mut self, addr: u32) -> Result<u8, BusFault>;
    /// One CMD53 write of `data` to function-1 address `addr` (the byte count, see the
    /// module docs).
    ///
    /// # Errors
    ///
    /// [`BusFault`] when the transfer failed.
    fn write_data(&mut self, addr: u32, data: &[u8]) -> Result<(), BusFault>;
    /// One CMD53 read into `buf` from function-1 address `addr` (the byte count).
    ///
    /// # Errors
    ///
    /// [`BusFault`] when the transfer failed.
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusFault>;
    /// The monotonic clock, in ns.
    fn now_ns(&mut self) -> u64;
    /// Sleeps until `until_ns` (or returns early when asked to stop).
    fn sleep_until(&mut self, until_ns: u64);
    /// Waits for the SDIO interrupt until `deadline_ns`; true when it came.
    fn wait_irq(&mut self, deadline_ns: u64) -> bool;
    /// True when the caller wants the bring-up abandoned (module unload, device removal).
    fn should_stop(&mut self) -> bool {
        false
    }
}

/// Why [`drive`] ended without the chip running its firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveError {
    /// The loader gave up; the chip needs a reset before another try.
    Failed(Error),
    /// [`Port::should_stop`] asked to stop.
    Stopped,
}

/// Runs `loader` to its end on `port`. `reply` receives the boot ROM's replies and the DPD
/// read-back, so it must hold [`super::DPD_LEN`] bytes when the mode calibrates; a reply
/// longer than `reply` is a failed access (the loader then fails cleanly).
///
/// # Errors
///
/// [`DriveError`]: the loader's own failure, or a stop request.
pub fn drive<C: Crc32, P: Port>(
    loader: &mut Loader<'_, C>,
    port: &mut P,
    reply: &mut [u8],
) -> Result<Outcome, DriveError> {
    let now = port.now_ns();
    let mut act = loader.start(now);
    loop {
        if port.should_stop() {
            return Err(DriveError::Stopped);
        }
        let ev = match act {
            Action::Done(o) => return Ok(o),
            Action::Failed(e) => return Err(DriveError::Failed(e)),
            Action::ReadRxBufInfo => match (
                port.read_reg8(REG_SLAVE_RX_BUF_CNT),
                port.read_reg8(REG_SLAVE_RX_BUF_LEN),
                port.read_reg8(REG_SLAVE_RX_BUF_LEN + 1),
            ) {
                (Ok(count), Ok(lo), Ok(hi)) => Event::RxBufInfo {
                    count,
                    max_len: u16::from_le_bytes([lo, hi]),
                },
                _ => Event::BusError,
            },
            Action::Send { len } => match (loader.frame().get(..len), u32::try_from(len)) {
                (Some(f), Ok(addr)) => port
                    .write_data(addr, f)
                    .map_or(Event::BusError, |()| Event::Sent),
                _ => Event::BusError,
            },
            Action::Sleep { until_ns } => {
                port.sleep_until(until_ns);
                Event::Slept
            }
            Action::WaitIrq { deadline_ns } => {
                if port.wait_irq(deadline_ns) {
                    Event::Irq
                } else {
                    Event::Timeout
                }
            }
            Action::ReadReplyLen => match (
                port.read_reg8(REG_REPLY_LEN),
                port.read_reg8(REG_REPLY_LEN + 1),
            ) {
                (Ok(lo), Ok(hi)) => Event::ReplyLen(u16::from_le_bytes([lo, hi])),
                _ => Event::BusError,
            },
            Action::ReadReply { len } => match (reply.get_mut(..len), u32::try_from(len)) {
                (Some(buf), Ok(addr)) => match port.read_data(addr, buf) {
                    Ok(()) => {
                        let now = port.now_ns();
                        act = loader.step(now, Event::Reply(buf));
                        continue;
                    }
                    Err(BusFault) => Event::BusError,
                },
                _ => Event::BusError,
            },
            Action::ReadSlaveStatus => port
                .read_reg8(REG_SLAVE_STATUS)
                .map_or(Event::BusError, Event::SlaveStatus),
        };
        let now = port.now_ns();
        act = loader.step(now, ev);
    }
}
