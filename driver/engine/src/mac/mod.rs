//! mac80211-facing mappings the kernel module needs, kept here so host tests reach them:
//! channels and frequencies ([`channel`]), the legacy/HT rate table ([`rates`]), the scan and
//! join requests built from mac80211's parameters ([`scan`], [`join`]) and the command tags
//! that route confirms back to their requester ([`tags`]), what the firmware is told when the
//! BSS state changes ([`bss`]), the per-queue EDCA and RTS settings ([`edca`]) and the
//! power-save mode ([`pm`]).
//!
//! Nothing here touches the bus or the engine state: pure functions over plain values.

pub mod bss;
pub mod channel;
pub mod edca;
pub mod join;
pub mod pm;
pub mod rates;
pub mod scan;
pub mod tags;
