// SPDX-License-Identifier: GPL-2.0-only
//! BES2600 (BEST2002) firmware loader: image format, boot-ROM download protocol, factory
//! calibration, and (with the `std` feature) the `bes2600-fw` tool.
//!
//! Replaces the vendor driver's `bes_fw.c`, `bes_fw_common.c` and `bes2600_factory.c`
//! (spec §2). The protocol core (`crc`, [`image`], [`proto`], [`download`], [`calib`],
//! [`sha256`]) is `no_std`, allocation-free and dependency-free, because the kernel module
//! compiles it in; everything else needs `std`.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod calib;
pub mod crc;
pub mod download;
pub mod image;
pub mod proto;
pub mod sha256;

#[cfg(feature = "std")]
pub mod cli;
#[cfg(feature = "std")]
pub mod synth;

pub use crc::Crc32;
