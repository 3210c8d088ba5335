//! The network manager and its provisioned networks, as the smoke test sees them: the shared
//! detection of `bes2600-netmgr` (also used by `bes2600-fw status`), read under the host's
//! sysroot so that tests can fake it.
//!
//! The smoke test requires association only when a network is provisioned: a device that was
//! never given a network can still prove its driver, firmware and radio (a scan), but cannot be
//! expected to associate. Only network names are read; keys and passwords never are.

pub use bes2600_netmgr::{Manager, ManagerSetting, Network};

use crate::host::Host;

/// Detects the manager (unless `setting` names one) and its provisioned networks for `ifname`.
pub fn detect(host: &Host, ifname: &str, setting: ManagerSetting) -> Network {
    bes2600_netmgr::detect(&host.path("/"), ifname, setting)
}
