//! A simulated BES2600 chip: the SDIO function registers, RX burst packing and TX slot
//! parsing of spec §1, the WSM firmware of spec §3, a simulated open AP and a UDP traffic
//! generator (contracts.md), fault injection, on a deterministic virtual clock.
//!
//! The core is `no_std` and allocation-free: it is also compiled into the test-only virtual
//! SDIO card (`driver/vsdio`), whose card model is [`card`]. The `std` feature adds the
//! engine harness, stream validation and the benchmark.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod air;
pub mod bootrom;
pub mod bss;
pub mod card;
mod chip;
pub mod config;
pub mod crypto;
mod fw;
mod msg;
pub mod net;
pub mod ps;
mod radio;
pub mod regs;
mod render;
pub mod rng;
pub mod wsm;

pub use chip::{ApState, Fault, Phase, SimChip};
pub use config::{FaultConfig, SimConfig, SimCounters, TrafficConfig};

#[cfg(feature = "std")]
pub mod harness;
