// SPDX-License-Identifier: GPL-2.0-only
//! Which network manager drives the Wi-Fi interface: NetworkManager, iwd, wpa_supplicant
//! or none (issue 17). Read from files under a sysroot, so tests use fake trees:
//!
//! - running processes: `/proc/<pid>/comm`;
//! - systemd unit state: `/run/systemd/units/invocation:<unit>`, which systemd keeps for
//!   every unit that is started (and removes when it stops), for when `/proc` shows no
//!   process of the manager (another PID namespace, hidepid).
//!
//! NetworkManager uses wpa_supplicant or iwd as its Wi-Fi backend, so when it runs it is the
//! manager and the other is reported as its backend.

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::under;

/// The managers we know, in precedence order, with their process and unit names.
const MANAGERS: [(&str, &str); 3] = [
    ("NetworkManager", "NetworkManager.service"),
    ("iwd", "iwd.service"),
    // Also matches the per-interface `wpa_supplicant@wlan0.service` instances.
    ("wpa_supplicant", "wpa_supplicant"),
];

/// What `status` reports about network management.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetManager {
    /// `NetworkManager`, `iwd`, `wpa_supplicant` or `none`.
    pub name: &'static str,
    /// NetworkManager's Wi-Fi backend when one runs beside it (`iwd` or `wpa_supplicant`).
    pub backend: Option<&'static str>,
    /// Where it was seen: `process`, `systemd` or `none`.
    pub source: &'static str,
}

/// The entries of a directory under `sysroot` (empty when it cannot be read).
fn entries(sysroot: &Path, dir: &str) -> Vec<(String, std::path::PathBuf)> {
    fs::read_dir(under(sysroot, dir))
        .map(|rd| {
            rd.flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default()
}

/// Process names (`comm`) of everything running under `sysroot`.
fn processes(sysroot: &Path) -> Vec<String> {
    entries(sysroot, "/proc")
        .into_iter()
        .filter(|(name, _)| name.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|(_, path)| fs::read_to_string(path.join("comm")).ok())
        .map(|c| c.trim().to_string())
        .collect()
}

/// Started systemd units under `sysroot`.
fn started_units(sysroot: &Path) -> Vec<String> {
    entries(sysroot, "/run/systemd/units")
        .into_iter()
        .filter_map(|(name, _)| name.strip_prefix("invocation:").map(String::from))
        .collect()
}

/// Detects the network manager under `sysroot` (`/` on a running system).
pub fn detect(sysroot: &Path) -> NetManager {
    let procs = processes(sysroot);
    let units = started_units(sysroot);
    let by_proc = |name: &str| procs.iter().any(|p| p == name);
    let by_unit = |unit: &str| units.iter().any(|u| u.starts_with(unit));
    let seen: Vec<(&'static str, &'static str)> = MANAGERS
        .iter()
        .filter_map(|&(name, unit)| {
            if by_proc(name) {
                Some((name, "process"))
            } else if by_unit(unit) {
                Some((name, "systemd"))
            } else {
                None
            }
        })
        .collect();
    match seen.as_slice() {
        [] => NetManager {
            name: "none",
            backend: None,
            source: "none",
        },
        [(name, source), rest @ ..] => NetManager {
            name,
            backend: (*name == "NetworkManager")
                .then(|| rest.first().map(|(b, _)| *b))
                .flatten(),
            source,
        },
    }
}

impl std::fmt::Display for NetManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)?;
        let seen = match self.source {
            "process" => "running process",
            "systemd" => "started systemd unit",
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
    use tempfile::TempDir;

    fn tree(procs: &[&str], units: &[&str]) -> TempDir {
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
        t
    }

    #[test]
    fn each_manager_and_none() {
        let cases: [(&[&str], &[&str], &str); 7] = [
            (&["systemd", "sshd"], &[], "none"),
            (
                &["NetworkManager", "wpa_supplicant"],
                &[],
                "NetworkManager (backend wpa_supplicant; running process)",
            ),
            (
                &["iwd", "NetworkManager"],
                &[],
                "NetworkManager (backend iwd; running process)",
            ),
            (&["iwd"], &[], "iwd (running process)"),
            (&["wpa_supplicant"], &[], "wpa_supplicant (running process)"),
            (
                &[],
                &["wpa_supplicant@wlan0.service"],
                "wpa_supplicant (started systemd unit)",
            ),
            (
                &["wpa_supplicant"],
                &["NetworkManager.service"],
                "NetworkManager (backend wpa_supplicant; started systemd unit)",
            ),
        ];
        for (procs, units, want) in cases {
            let t = tree(procs, units);
            assert_eq!(detect(t.path()).to_string(), want, "{procs:?} {units:?}");
        }
    }
}
