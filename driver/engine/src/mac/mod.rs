//! mac80211-facing mappings the kernel module needs, kept here so host tests reach them:
//! channels and frequencies ([`channel`]), the legacy/HT rate table ([`rates`]), the scan and
//! join requests built from mac80211's parameters ([`scan`], [`join`]) and the command tags
//! that route confirms back to their requester ([`tags`]).
//!
//! Nothing here touches the bus or the engine state: pure functions over plain values.

pub mod channel;
pub mod join;
pub mod rates;
pub mod scan;
pub mod tags;
