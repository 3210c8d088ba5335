//! BES2600 boot-time Wi-Fi smoke test: checks the driver and the link, measures sustained
//! throughput against a peer (or the simulated chip's stream), and judges it against
//! thresholds. The binary `bes2600-smoke` is a thin layer over [`run::run`] and
//! [`serve::serve`]; everything reports through a [`listener::Listener`].
//!
//! Exit codes of the binary: 0 pass, 1 fail, 2 error (the test could not be run).
#![forbid(unsafe_code)]

pub mod config;
pub mod host;
pub mod listener;
pub mod measure;
pub mod plot;
pub mod proto;
pub mod report;
pub mod run;
pub mod serve;
pub mod stats;
pub mod traffic;
pub mod verdict;
