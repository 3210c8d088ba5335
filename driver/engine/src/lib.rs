//! The BES2600 bottom-half engine: one context owns the bus, drains whole RX bursts, flushes
//! TX by firmware credits and recovers by itself (DESIGN.md §2).
//!
//! The engine never names SDIO or the kernel: it is generic over [`Bus`] (the real SDIO
//! function, or the simulated chip) and a host trait (mac80211 in the kernel module, a test
//! harness on the host).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bus;

pub use bus::{Bus, BusError};
