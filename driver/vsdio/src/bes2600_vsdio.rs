// SPDX-License-Identifier: GPL-2.0-only
//! bes2600_vsdio.ko: a test-only virtual MMC host controller whose card is the simulated
//! BES2600 (DESIGN §3). The MMC core enumerates the card and `bes2600.ko` binds through
//! its SDIO device table, so the e2e runs the production SDIO path down to the card.
//!
//! The host glue is C (`vsdio_host.c`); this crate owns the [`Card`] (CCCR/FBR/CIS,
//! the vendor's bus contract, the chip model) and answers the host's calls. All `unsafe`
//! code is in [`ffi`].
//!
//! Module parameters (declared in the C part): `rate_kbps` (the simulated AP's downlink
//! stream), `privacy` (static-WEP AP).

use kernel::prelude::*;

use bes2600_sim::card::{debugfs, Card, CardError};
use bes2600_sim::{SimConfig, TrafficConfig};

mod air;
mod ffi;

module! {
    type: Vsdio,
    name: "bes2600_vsdio",
    description: "Virtual SDIO host with a simulated BES2600 card (test only)",
    license: "GPL",
}

/// The card and what the host module reports about it.
pub(crate) struct SimCard {
    card: Card,
    /// The factory-record line was logged for this boot-ROM session.
    factory_noted: bool,
}

impl SimCard {
    fn new(cfg: SimConfig) -> Self {
        Self {
            card: Card::new(cfg),
            factory_noted: false,
        }
    }

    /// `Ok(resp)`, or the errno the host puts in `cmd->error`.
    pub(crate) fn command(&mut self, now_ns: u64, opcode: u32, arg: u32) -> Result<u32, i32> {
        self.card.advance(now_ns);
        self.card.command(opcode, arg).map_err(errno)
    }

    /// CMD53 with its data phase in `buf`.
    pub(crate) fn cmd53(
        &mut self,
        now_ns: u64,
        arg: u32,
        blksz: u32,
        blocks: u32,
        buf: &mut [u8],
    ) -> Result<u32, i32> {
        self.card.advance(now_ns);
        let r = self.card.cmd53(arg, blksz, blocks, buf).map_err(errno);
        self.note_factory();
        r
    }

    /// The e2e's `factory_calib` check: the boot ROM received the factory record with a
    /// good CRC (spec §2.6).
    fn note_factory(&mut self) {
        let loaded = self
            .card
            .chip()
            .bootrom()
            .booted()
            .is_some_and(|b| b.factory_loaded);
        if loaded && !self.factory_noted {
            self.factory_noted = true;
            pr_info!("bes2600_vsdio: sim boot ROM holds the factory record, CRC good\n");
        }
    }

    pub(crate) fn tick(&mut self, now_ns: u64) -> bool {
        self.card.advance(now_ns);
        self.card.irq_asserted()
    }

    pub(crate) fn power(&mut self, on: bool) -> bool {
        let up = self.card.set_power(on);
        if up {
            self.factory_noted = false;
        }
        up
    }

    /// debugfs `inject`: the card's fault codes (`bes2600_sim::card::debugfs`; 10 and 11,
    /// removal and re-insertion, are the slot's: C).
    pub(crate) fn inject(&mut self, code: u32) -> Result {
        let f = debugfs::fault_of_code(code).ok_or(EINVAL)?;
        self.card.inject(f);
        Ok(())
    }

    pub(crate) fn violations(&self) -> u64 {
        self.card.violations().total()
    }

    /// debugfs `contract`.
    pub(crate) fn render(&mut self, w: &mut impl core::fmt::Write) -> core::fmt::Result {
        debugfs::render(&mut self.card, w)
    }
}

fn errno(e: CardError) -> i32 {
    let n = match e {
        CardError::Timeout => kernel::bindings::ETIMEDOUT,
        CardError::Crc => kernel::bindings::EILSEQ,
    };
    // CAST: errno constants are small positive numbers.
    -(n as i32)
}

/// The card configuration from the module parameters.
fn config() -> SimConfig {
    let kbps = u64::from(ffi::param_rate_kbps());
    SimConfig {
        // The driver downloads the (synthetic) firmware into the boot ROM.
        start_in_firmware: false,
        traffic: TrafficConfig {
            enabled: kbps > 0,
            phy_rate_bps: kbps * 1000,
            ..TrafficConfig::SEED_4MBPS
        },
        privacy: ffi::param_privacy(),
        air: air::param_air(),
        ..SimConfig::default()
    }
}

/// Writes a new card into `slot` (kept out of line so no caller frame holds a copy).
#[inline(never)]
fn init_card(slot: &mut core::mem::MaybeUninit<SimCard>) -> &mut SimCard {
    slot.write(SimCard::new(config()))
}

/// The module: the card lives from init to exit, across any number of unbind/bind cycles
/// of the host (`/sys/bus/platform/drivers/bes2600-vsdio/{unbind,bind}`); dropping it
/// unregisters the host, which unbinds `bes2600.ko` first.
struct Vsdio {
    _host: ffi::Host,
}

impl kernel::Module for Vsdio {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let card = ffi::kbox_in_place(init_card)?;
        let host = ffi::Host::add(card)?;
        pr_info!("bes2600_vsdio: virtual SDIO host up (card 0xbe57:0x2002)\n");
        Ok(Self { _host: host })
    }
}
