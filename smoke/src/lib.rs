//! BES2600 boot-time Wi-Fi smoke test: checks the driver, the radio (a scan) and, when a
//! network is provisioned, the association; measures sustained throughput when a peer is
//! configured (`bes2600-smoke serve`, a stock `iperf3 -s`, or the simulated chip's stream), and
//! judges it against thresholds. The binary `bes2600-smoke` is a thin layer over [`run::run`] and
//! [`serve::serve`]; everything reports through a [`listener::Listener`].
//!
//! Exit codes of the binary: 0 pass, 1 fail, 2 error (the test could not be run).
#![forbid(unsafe_code)]

pub mod checks;
pub mod config;
pub mod host;
pub mod iperf;
pub mod listener;
pub mod measure;
pub mod netmgr;
pub mod plot;
pub mod proto;
pub mod report;
pub mod run;
pub mod serve;
pub mod stats;
pub mod traffic;
pub mod verdict;
