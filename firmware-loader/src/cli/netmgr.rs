// SPDX-License-Identifier: GPL-2.0-only
//! The network manager as `status` reports it (issue 17): the shared detection of
//! `bes2600-netmgr` (also used by `bes2600-smoke`), reduced to the manager, its backend and
//! where it was seen.

use std::path::Path;

use bes2600_netmgr::{Evidence, Manager};
use serde::Serialize;

/// What `status` reports about network management.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetManager {
    /// `NetworkManager`, `iwd`, `wpa_supplicant` or `none`.
    pub name: &'static str,
    /// NetworkManager's Wi-Fi backend when one runs beside it (`iwd` or `wpa_supplicant`).
    pub backend: Option<&'static str>,
    /// Where it was seen: `process` (running), `systemd` (a started unit), `enabled` (an
    /// enabled unit that has not started) or `none`.
    pub source: &'static str,
}

/// Detects the network manager of `ifname` under `sysroot` (`/` on a running system).
pub fn detect(sysroot: &Path, ifname: &str) -> NetManager {
    let Some(found) = bes2600_netmgr::find(sysroot, ifname) else {
        return NetManager {
            name: Manager::None.name(),
            backend: None,
            source: "none",
        };
    };
    NetManager {
        name: found.manager.name(),
        backend: found.backend.map(Manager::name),
        source: match found.evidence {
            Evidence::Running { .. } => "process",
            Evidence::Started { .. } => "systemd",
            Evidence::Enabled { .. } => "enabled",
            Evidence::Configured | Evidence::NoneFound => "none",
        },
    }
}

impl std::fmt::Display for NetManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)?;
        let seen = match self.source {
            "process" => "running process",
            "systemd" => "started systemd unit",
            "enabled" => "enabled systemd unit, not started",
            _ => return Ok(()),
        };
        match self.backend {
            Some(b) => write!(f, " (backend {b}; {seen})"),
            None => write!(f, " ({seen})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use tempfile::TempDir;

    fn tree(procs: &[&str], units: &[&str], enabled: &[&str]) -> TempDir {
        let t = TempDir::new().unwrap();
        for (i, p) in procs.iter().enumerate() {
            let d = t.path().join(format!("proc/{}", 100 + i));
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("comm"), format!("{p}\n")).unwrap();
        }
        fs::create_dir_all(t.path().join("proc/self")).unwrap();
        let u = t.path().join("run/systemd/units");
        fs::create_dir_all(&u).unwrap();
        for unit in units {
            fs::write(u.join(format!("invocation:{unit}")), "").unwrap();
        }
        let w = t.path().join("etc/systemd/system/multi-user.target.wants");
        fs::create_dir_all(&w).unwrap();
        for unit in enabled {
            std::os::unix::fs::symlink("/dev/null", w.join(unit)).unwrap();
        }
        t
    }

    /// Processes, started units, enabled units, and the expected `status` line.
    type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a str], &'a str);

    #[test]
    fn each_manager_and_none() {
        let cases: [Case; 8] = [
            (&["systemd", "sshd"], &[], &[], "none"),
            (
                &["NetworkManager", "wpa_supplicant"],
                &[],
                &[],
                "NetworkManager (backend wpa_supplicant; running process)",
            ),
            (
                &["iwd", "NetworkManager"],
                &[],
                &[],
                "NetworkManager (backend iwd; running process)",
            ),
            (&["iwd"], &[], &[], "iwd (running process)"),
            (
                &["wpa_supplicant"],
                &[],
                &[],
                "wpa_supplicant (running process)",
            ),
            (
                &[],
                &["wpa_supplicant@wlan0.service"],
                &[],
                "wpa_supplicant (started systemd unit)",
            ),
            (
                &["wpa_supplicant"],
                &["NetworkManager.service"],
                &[],
                "NetworkManager (backend wpa_supplicant; started systemd unit)",
            ),
            (
                &[],
                &[],
                &["wpa_supplicant@wlan0.service"],
                "wpa_supplicant (enabled systemd unit, not started)",
            ),
        ];
        for (procs, units, enabled, want) in cases {
            let t = tree(procs, units, enabled);
            assert_eq!(
                detect(t.path(), "wlan0").to_string(),
                want,
                "{procs:?} {units:?} {enabled:?}"
            );
        }
    }
}
