// SPDX-License-Identifier: GPL-2.0-only
//! bes2600.ko: Rust driver for the Bestechnic BES2600 SDIO Wi-Fi chip (PineTab2).
//!
//! The data path is the project's no_std engine (`bes2600_engine`) behind one bottom-half
//! kthread per device; mac80211, SDIO, skbs, debugfs and uevents are reached through the
//! thin C shim (`bes_shim.c`). All `unsafe` code lives in [`ffi`].
//!
//! Module parameters (declared in the shim): `bus=sdio|sim`, `fw_type=0|1|2`,
//! `sim_rate_kbps` (downlink stream PHY rate of the simulated AP).

use kernel::prelude::*;

mod debugfs;
mod device;
mod ffi;
mod sdio_bus;

module! {
    type: Bes2600,
    name: "bes2600",
    description: "Bestechnic BES2600 SDIO Wi-Fi (Rust)",
    license: "GPL",
}

/// What the module holds between init and exit.
enum Bes2600 {
    /// `bus=sim`: one device backed by the in-kernel simulated chip (torn down on drop).
    Sim(#[allow(dead_code)] device::DeviceHandle),
    /// `bus=sdio`: the SDIO driver is registered; devices come and go with probe/remove.
    Sdio(#[allow(dead_code)] ffi::SdioDriverReg),
}

impl kernel::Module for Bes2600 {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        match ffi::param_bus_is_sim() {
            1 => {
                let dev = device::DeviceHandle::create_sim()?;
                Ok(Bes2600::Sim(dev))
            }
            0 => Ok(Bes2600::Sdio(ffi::SdioDriverReg::register()?)),
            _ => {
                pr_err!("bes2600: unknown bus= value (use sdio or sim)\n");
                Err(EINVAL)
            }
        }
    }
}

impl Drop for Bes2600 {
    fn drop(&mut self) {
        match self {
            Bes2600::Sim(_) => pr_info!("bes2600: sim device removed\n"),
            Bes2600::Sdio(_) => pr_info!("bes2600: sdio driver unregistered\n"),
        }
    }
}
