//! The BES2600 bottom-half engine: one context owns the bus, drains whole RX bursts, flushes
//! TX by firmware credits and recovers by itself (DESIGN.md §2).
//!
//! The engine never names SDIO or the kernel: it is generic over [`Bus`] (the real SDIO
//! function, or the simulated chip) and [`Host`] (mac80211 in the kernel module, a test
//! harness on the host). It is `no_std`, allocation-free and float-free; time is always a
//! parameter (`u64` nanoseconds).
//!
//! # Driving loop
//!
//! One bottom-half context owns the engine and the bus. The IRQ context only masks the chip
//! interrupt and calls [`Engine::on_irq`] (or [`Shared::on_irq`]); other contexts read the
//! counters and the recovery ring through [`Engine::shared`].
//!
//! ```no_run
//! use bes2600_engine::*;
//! # struct MyBus;
//! # impl Bus for MyBus {
//! #     fn read_reg8(&mut self, _: u32) -> Result<u8, BusError> { Ok(0) }
//! #     fn write_reg8(&mut self, _: u32, _: u8) -> Result<(), BusError> { Ok(()) }
//! #     fn read_data(&mut self, _: u32, _: &mut [u8]) -> Result<(), BusError> { Ok(()) }
//! #     fn write_data(&mut self, _: u32, _: &[u8]) -> Result<(), BusError> { Ok(()) }
//! #     fn set_irq_enabled(&mut self, _: bool) {}
//! #     fn reset(&mut self) -> Result<(), BusError> { Ok(()) }
//! # }
//! # #[derive(Default)] struct MyHost { reload: bool }
//! # impl Host for MyHost {
//! #     fn next_tx(&mut self, _: &mut [u8]) -> Option<usize> { None }
//! #     fn rx_batch(&mut self, _: &RxBatch<'_>) {}
//! #     fn tx_status(&mut self, _: &TxStatus) {}
//! #     fn cmd_done(&mut self, _: &CmdDone<'_>) {}
//! #     fn scan_complete(&mut self, _: u8, _: u32) {}
//! #     fn event(&mut self, _: &ConnEvent) {}
//! #     fn recovery(&mut self, r: &RecoveryRequest) {
//! #         self.reload = matches!(r, RecoveryRequest::ResetAndReload { .. });
//! #     }
//! # }
//! # fn now_ns() -> u64 { 0 }
//! # fn sleep_until_irq_tx_or(_: Option<u64>) {}
//! # fn download_firmware(_: &mut MyBus) {}
//! let (mut bus, mut host) = (MyBus, MyHost::default());
//! // Boxed: the engine holds two 26 KiB burst buffers.
//! let mut engine: Box<Engine> = Box::new(Engine::new(Shared::new(), Policy::default()));
//! let sdd: &[u8] = &[]; // empty: the engine's own static SDD (spec §3.10)
//! let cfg = StartConfig {
//!     mode: FwMode::Signal,
//!     macs: [[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]],
//!     max_tx_msdu_lifetime: 0,
//!     max_rx_lifetime: 0,
//!     rts_threshold: 2347,
//!     sdd,
//! };
//! // After the firmware download (bes2600-fw core):
//! engine.start(&cfg, now_ns()).expect("SDD fits");
//! loop {
//!     let out = engine.run(&mut bus, &mut host, now_ns());
//!     if host.reload {
//!         // Host::recovery(ResetAndReload): reset, download again, start again.
//!         host.reload = false;
//!         bus.reset().ok();
//!         download_firmware(&mut bus);
//!         engine.start(&cfg, now_ns()).expect("SDD fits");
//!         continue;
//!     }
//!     if !out.more_work {
//!         // Sleep until an IRQ (`engine.on_irq()`), a TX wake (`engine.shared().on_tx()`)
//!         // or the engine's next timer.
//!         sleep_until_irq_tx_or(out.next_deadline_ns);
//!     }
//! }
//! ```
//!
//! Station commands (`join`, `add_key`, …) are queued with [`Engine::submit_msg`] (any
//! `bes2600_wire::wsm` request), the named helpers in [`ctl`], or [`Engine::submit`] (raw
//! payload), and complete through [`Host::cmd_done`]. One command is outstanding at a time
//! (spec §3.2); a missed deadline (spec §3.11) becomes a `cmd_timeout` recovery.
//!
//! # What one `run` does
//!
//! 1. Start-up phases ([`Phase`]): bounded MCU_READY poll, WIFI activate handshake, startup
//!    indication (credits = numInpChBufs), MIB 0x1024 and Configuration for interfaces 0
//!    and 1, then [`Host::ready`].
//! 2. Timers: command deadlines, the 10 s startup deadline, the 3 s firmware-hang watchdog.
//! 3. Loop: flush TX (commands alone and first, then data pulled with [`Host::next_tx`]
//!    while credits remain, ≤16 per CMD53, seq stamped per space), drain one RX burst (one
//!    CMD53, split in place, seq-checked, one [`RxBatch`] per burst), until idle or the
//!    [`Policy`] budget is used; then unmask the chip IRQ and re-check the wake reasons.
//!
//! # Observability
//!
//! [`Shared::snapshot`] gives every counter ([`Snapshot::for_each`] renders the debugfs
//! `counters` lines: `rx_frames`, `rx_bursts`, `tx_frames`, `bus_transactions`,
//! `bh_wakeups`, `locks_taken`, `credit_stalls`, `drops_<cause>`, `recoveries_<cause>`, …);
//! [`RecoveryLog::for_each`] gives the last [`shared::RECOVERY_LOG_LEN`] recovery events
//! (time, cause, count) for the `recovery` file and the uevent.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bus;
pub mod cmd;
pub mod credits;
pub mod ctl;
mod engine;
pub mod host;
mod init;
pub mod keys;
pub mod mac;
pub mod policy;
mod rx;
pub mod sdd;
pub mod shared;
mod startup;
mod tx;
pub mod txpolicy;

pub use bus::{Bus, BusError};
pub use cmd::{CmdDone, CmdResult, SubmitError};
pub use engine::{Engine, FwMode, Phase, RunOutcome, StartConfig, StartError, SDD_MAX, TX_MSG_MAX};
pub use host::{ConnEvent, Host, RecoveryRequest, RxBatch, RxEntry, RxMeta, StartupInfo, TxStatus};
pub use keys::{KeyConf, KeyError, KeyTable, RxCrypto};
pub use policy::Policy;
pub use shared::{
    Counters, DataPath, DropCause, RecoveryCause, RecoveryEvent, RecoveryLog, Shared, Snapshot,
};
