// SPDX-License-Identifier: GPL-2.0-only
//! Wire formats of the Bestechnic BES2600 SDIO Wi-Fi chip (PineTab2), in the smoltcp style.
//!
//! This crate replaces the framing and message code of the vendor C driver
//! (`bes2600_sdio.c`, `wsm.c`, `wsm.h`, `bes_fw_common.c`, `bes2600_factory.h`). It is
//! `no_std`, allocation-free and free of floating point, because the kernel module links it.
//!
//! * [`sdio`]: CMD53 address field, RX length register, RX burst splitting, TX slot packing
//!   (spec §1.3-1.7).
//! * [`wsm`]: the WSM host interface: header, sequence spaces, every request, confirm and
//!   indication a station driver uses (spec §3).
//! * [`bootrom`]: the boot-ROM download messages 0xB0-0xB4 (spec §2.3).
//! * [`calib`]: the 72-byte factory calibration record (spec §2.6).
//!
//! Every message has a zero-copy view (`new_checked` validates once, then no getter panics)
//! and a plain `Repr` with `parse`, `emit` and `buffer_len`. Bytes from the chip only ever go
//! through `new_checked`/`parse`.
//!
//! # API at a glance
//!
//! * RX: [`sdio::decode_rx_len`] on reg 0x001 (with the expected [`sdio::Toggle`]), one
//!   CMD53 read at [`sdio::cmd53_addr`], then [`sdio::Burst`] yields the messages;
//!   [`wsm::split`] gives `(Id, body)`, [`wsm::SeqState::check_rx`] checks the sequence
//!   number and [`wsm::decode`] returns a [`wsm::Decoded`] `Repr`.
//! * TX: build a `Repr` (e.g. [`wsm::join::JoinReq`]), [`wsm::emit`] it with an if_id,
//!   stamp the seq with [`wsm::SeqState::stamp_msg`], pack with [`sdio::TxPacker`] and
//!   write `batch.bytes` at `batch.cmd53_addr(toggle)`. The device side (the simulated
//!   chip) reads a write back with [`sdio::TxSlots`].
//! * Download: [`bootrom::Frame`] with `emit_padded`, [`bootrom::check_reply`];
//!   [`calib::CalibRecord`] with a caller-provided [`calib::Crc32`].
//! * Errors are the small `Copy` enum [`Error`], so callers can count them by cause.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod bootrom;
pub mod calib;
pub mod field;
pub mod list;
pub mod sdio;
pub mod wsm;

pub use field::{align4, le16, le32, le64, set_le16, set_le32, set_le64};

/// Why bytes could not be parsed or emitted.
///
/// Small and `Copy` so that the engine can count errors by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The buffer is shorter than the fixed part of the structure.
    Truncated,
    /// A length field disagrees with the buffer or with a limit of the spec.
    BadLength,
    /// A field holds a value the spec does not allow.
    BadValue,
    /// A reserved or padding field is not zero.
    Reserved,
    /// A checksum does not match.
    Checksum,
    /// A count disagrees with the data it counts, or exceeds the spec's maximum.
    BadCount,
    /// A WSM sequence number is not the expected one (spec §3.2).
    Sequence,
    /// The caller's output buffer is too small.
    BufferTooSmall,
    /// A message does not belong in the structure being built (for example a second
    /// vendor message in one TX batch, spec §1.7).
    Unsupported,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = match self {
            Error::Truncated => "truncated",
            Error::BadLength => "bad length",
            Error::BadValue => "bad value",
            Error::Reserved => "reserved field not zero",
            Error::Checksum => "checksum mismatch",
            Error::BadCount => "bad count",
            Error::Sequence => "unexpected sequence number",
            Error::BufferTooSmall => "output buffer too small",
            Error::Unsupported => "unsupported here",
        };
        f.write_str(s)
    }
}

#[cfg(any(test, feature = "std"))]
impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, Error>;
