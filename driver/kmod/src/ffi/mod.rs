// SPDX-License-Identifier: GPL-2.0-only
//! The only place with `unsafe`: the checked-in declarations of the C shim, one safe owning
//! handle per kernel object, and the adapter that turns the shim's callbacks into calls on a
//! [`Driver`] (as `rust/kernel/net/phy.rs` does for PHY drivers).
//!
//! | file | kernel object |
//! |---|---|
//! | [`adapter`] | the `bes_rs_ops` callback table, generic over [`Driver`] |
//! | [`bh`] | the bottom-half kthread and its wait queue |
//! | [`crypto`] | hardware crypto: `nohwcrypt`, the ICV/MIC room of encrypted TX frames |
//! | [`debugfs`] | the debugfs files |
//! | [`device`] | the device memory shared with C (hw priv, drvdata, BH, debugfs) |
//! | [`firmware`] | `request_firmware` files, `request_firmware_nowait` |
//! | [`gpio`] | the chip's wake line (GPIO `wakeup` of the SDIO function) |
//! | [`hw`] | `ieee80211_hw` / `ieee80211_vif` (mac80211) |
//! | [`inplace`] | a `KBox` written in place (the engine) |
//! | [`platform`] | module parameter, time, CRC-32, MAC addresses |
//! | [`sdio`] | the SDIO driver and function 1 |
//! | [`skb`] | TX `sk_buff`s and the RX batch |
//!
//! Nothing here names the device type: the device implements [`Driver`].

use core::ffi::c_int;

use kernel::prelude::*;

mod adapter;
mod bh;
mod crypto;
mod debugfs;
mod device;
mod firmware;
mod gpio;
mod hw;
mod inplace;
mod platform;
mod sdio;
mod skb;

#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::all
)]
mod sys {
    // bindgen's output for bes_shim.h, checked in (README "Bindings"); regenerate with the
    // command ci/tests.d/95-kmod-bindings.sh prints when it no longer matches the header.
    include!("shim_bindings.rs");
}

pub(crate) use adapter::Driver;
pub(crate) use bh::{BhCell, BhLink, BhSelf};
pub(crate) use crypto::param_nohwcrypt;
pub(crate) use debugfs::DbgFile;
pub(crate) use device::DevicePtr;
pub(crate) use firmware::Firmware;
pub(crate) use gpio::WakeLine;
pub(crate) use hw::{
    AmpduAction, Band, BandChannel, BandRate, BssChanged, Hw, HwRef, IfType, KeyCmd, Vif, VifId,
};
pub(crate) use inplace::kbox_in_place;
pub(crate) use platform::{dt_mac, msleep, now_ns, param_fw_type, random_mac, KernelCrc};
pub(crate) use sdio::{SdioDriverReg, SdioFunc};
pub(crate) use skb::{param_rx_copy, RxStatus};
pub(crate) use skb::{RxBatch, Skb, RX_DECRYPTED, RX_IV_STRIPPED, RX_MIC_ERROR};
pub(crate) use sys::{bes_bss_info as BssInfo, bes_key_req as KeyReqC, bes_scan_req as ScanReqC};

pub(crate) use kernel::bindings::{EILSEQ, EIO, ENOMEDIUM, ENOSPC, EOPNOTSUPP, ETIMEDOUT};

/// Converts a shim return code (0 or a negative errno) into a `Result`.
fn check(ret: c_int) -> Result {
    if ret < 0 {
        Err(Error::from_errno(ret))
    } else {
        Ok(())
    }
}

/// The kernel error for a positive errno constant from `kernel::bindings`.
pub(crate) fn errno(e: u32) -> Error {
    Error::from_errno(-(i32::try_from(e).unwrap_or(5)))
}
