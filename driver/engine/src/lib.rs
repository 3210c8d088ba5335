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
//! ```ignore
//! use bes2600_engine::{Engine, Policy, Shared, StartConfig, FwMode};
//!
//! let mut engine: Engine = Engine::new(Shared::new(), Policy::default());
//! // After the firmware download (bes2600-fw core):
//! engine.start(&StartConfig { mode: FwMode::Signal, macs, max_tx_msdu_lifetime: 0,
//!                             max_rx_lifetime: 0, rts_threshold: 0, sdd: &sdd }, now_ns)?;
//! loop {
//!     // IRQ context (or the sim harness when its IRQ line is up): mask the chip IRQ,
//!     // then `engine.on_irq()` and wake the bottom half.
//!     let out = engine.run(&mut bus, &mut host, now_ns);
//!     // `out.more_work`: call again soon; otherwise sleep until an IRQ, a TX wake
//!     // (`engine.shared().on_tx()`) or `out.next_deadline_ns`.
//!     // A `Host::recovery(ResetAndReload)` means: `bus.reset()`, download the firmware,
//!     // `engine.start(..)` again.
//! }
//! ```
//!
//! Station commands (`join`, `add_key`, …) are queued with [`Engine::submit`] or the named
//! helpers in [`ctl`] and complete through [`Host::cmd_done`]. Counters and the recovery ring
//! live in [`Shared`], readable from any context.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bus;
pub mod cmd;
pub mod credits;
pub mod ctl;
mod engine;
pub mod host;
pub mod policy;
mod rx;
pub mod shared;
mod startup;
mod tx;

pub use bus::{Bus, BusError};
pub use cmd::{CmdDone, CmdResult, SubmitError};
pub use engine::{Engine, FwMode, Phase, RunOutcome, StartConfig, StartError, SDD_MAX, TX_MSG_MAX};
pub use host::{ConnEvent, Host, RecoveryRequest, RxBatch, RxEntry, RxMeta, StartupInfo, TxStatus};
pub use policy::Policy;
pub use shared::{
    Counters, DropCause, RecoveryCause, RecoveryEvent, RecoveryLog, Shared, Snapshot,
};
