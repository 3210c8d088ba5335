// SPDX-License-Identifier: GPL-2.0-only
//! bes2600.ko: Rust driver for the Bestechnic BES2600 SDIO Wi-Fi chip (PineTab2).
//!
//! The data path is the project's no_std engine (`bes2600_engine`) behind one bottom-half
//! kthread per device; mac80211, SDIO, skbs, debugfs and uevents are reached through the
//! thin C shim (`bes_shim.c`). All `unsafe` code lives in [`ffi`].
//!
//! Where to start reading: [`device`] (its table lists one file per role), then
//! [`ffi`] (one file per kernel object) and [`bus`].
//!
//! The chip is found by the MMC core's SDIO enumeration (0xBE57:0x2002); the QEMU e2e puts
//! a simulated chip behind a virtual SDIO card (`driver/vsdio`), so this module has no
//! simulator of its own. Module parameters (declared in the shim): `fw_type=0|1|2`, and
//! `nohwcrypt=1`, which keeps every key in mac80211's software crypto (as ath9k's and
//! iwlwifi's parameter of that name do).

use kernel::prelude::*;

mod bus;
mod debugfs;
mod device;
mod ffi;

module! {
    type: Bes2600,
    name: "bes2600",
    description: "Bestechnic BES2600 SDIO Wi-Fi (Rust)",
    license: "GPL",
    // The vendor driver's module name, for configurations that name it.
    alias: ["bes2600_wlan"],
    // The images `device/boot.rs` requests (spec §2.1); the optional factory calibration
    // is not listed.
    firmware: [
        "bes2600/best2002_fw_boot_sdio.bin",
        "bes2600/best2002_fw_sdio.bin",
        "bes2600/best2002_fw_sdio_nosignal.bin",
        "bes2600/best2002_fw_sdio_btrf.bin"
    ],
}

/// The registered SDIO driver; devices come and go with probe/remove.
struct Bes2600 {
    /// Held for its `Drop` (unregistration), never read.
    _driver: ffi::SdioDriverReg,
}

impl kernel::Module for Bes2600 {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Bes2600 {
            _driver: ffi::SdioDriverReg::register::<device::Device>()?,
        })
    }
}

impl Drop for Bes2600 {
    fn drop(&mut self) {
        pr_info!("bes2600: sdio driver unregistered\n");
    }
}
