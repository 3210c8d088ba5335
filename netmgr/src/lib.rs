// SPDX-License-Identifier: GPL-2.0-only
//! Which network manager drives a Wi-Fi interface (NetworkManager, iwd, wpa_supplicant or
//! none) and which networks it has been given (issue 17).
//!
//! One implementation for `bes2600-fw status` and `bes2600-smoke run`. Everything is read
//! from files under a sysroot (`/` on the device), so tests use fake trees:
//!
//! 1. a running daemon: `/proc/<pid>/comm`;
//! 2. a started systemd unit: `/run/systemd/units/invocation:<unit>`, which systemd keeps for
//!    every started unit, for when `/proc` shows no process of the manager (another PID
//!    namespace, `hidepid`);
//! 3. an enabled unit (a `*.wants/` link), for a boot where the manager has not started yet.
//!
//! The first of NetworkManager, iwd, wpa_supplicant seen by (1) or (2) wins; NetworkManager
//! comes first because it runs iwd or wpa_supplicant as its Wi-Fi backend, which is then
//! reported as such. Only when none is seen running does (3) decide.
//!
//! Provisioned networks are read by name only (SSIDs, connection ids); keys and passwords are
//! never read into the result.
#![forbid(unsafe_code)]

pub mod debugfs;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A network manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Manager {
    /// NetworkManager (with wpa_supplicant or iwd as its Wi-Fi backend).
    #[serde(rename = "networkmanager")]
    NetworkManager,
    /// wpa_supplicant on its own.
    WpaSupplicant,
    /// iwd on its own.
    Iwd,
    /// Nothing manages Wi-Fi.
    None,
}

impl Manager {
    /// The manager's name as it spells itself (also its process name), or `none`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NetworkManager => "NetworkManager",
            Self::WpaSupplicant => "wpa_supplicant",
            Self::Iwd => "iwd",
            Self::None => "none",
        }
    }

    /// The systemd units that run the manager for `ifname`.
    fn units(self, ifname: &str) -> Vec<String> {
        match self {
            Self::NetworkManager => vec!["NetworkManager.service".into()],
            Self::Iwd => vec!["iwd.service".into()],
            Self::WpaSupplicant => vec![
                format!("wpa_supplicant@{ifname}.service"),
                format!("wpa_supplicant-nl80211@{ifname}.service"),
                "wpa_supplicant.service".into(),
            ],
            Self::None => Vec::new(),
        }
    }
}

/// Which manager to assume: detected, or set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagerSetting {
    /// Detect it.
    #[default]
    Auto,
    /// NetworkManager.
    #[serde(rename = "networkmanager")]
    NetworkManager,
    /// wpa_supplicant.
    WpaSupplicant,
    /// iwd.
    Iwd,
    /// No manager.
    None,
}

/// Precedence: NetworkManager first, as it runs iwd or wpa_supplicant as its backend.
const ORDER: [Manager; 3] = [
    Manager::NetworkManager,
    Manager::Iwd,
    Manager::WpaSupplicant,
];

/// How a manager was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Named by the user's configuration, not detected.
    Configured,
    /// A process with the manager's name runs (the lowest such pid).
    Running {
        /// Its pid.
        pid: u32,
    },
    /// systemd has started the unit (`/run/systemd/units/invocation:UNIT`).
    Started {
        /// The unit.
        unit: String,
    },
    /// The unit is enabled (a `*.wants/` link) but not seen running.
    Enabled {
        /// The unit.
        unit: String,
    },
    /// Nothing was found.
    NoneFound,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Configured => f.write_str("configured"),
            Self::Running { pid } => write!(f, "running (pid {pid})"),
            Self::Started { unit } => write!(f, "started ({unit})"),
            Self::Enabled { unit } => write!(f, "enabled ({unit})"),
            Self::NoneFound => f.write_str("none found"),
        }
    }
}

/// The manager in use, how it was found, and NetworkManager's backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The manager.
    pub manager: Manager,
    /// How it was found.
    pub evidence: Evidence,
    /// When the manager is NetworkManager: iwd or wpa_supplicant, seen running beside it.
    pub backend: Option<Manager>,
}

/// What was found about the network manager and its networks (the smoke report's `network`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// The manager in use.
    pub manager: Manager,
    /// NetworkManager's Wi-Fi backend, when one was seen beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Manager>,
    /// How it was found: `configured`, `running (pid N)`, `started (UNIT)`, `enabled (UNIT)`
    /// or `none found`.
    pub evidence: String,
    /// Names of the networks provisioned for it (SSIDs, or connection ids), in file order.
    pub provisioned: Vec<String>,
    /// The files the networks came from.
    pub sources: Vec<String>,
}

/// Path of the absolute or relative `path` under `sysroot`.
fn under(sysroot: &Path, path: &str) -> PathBuf {
    sysroot.join(path.trim_start_matches('/'))
}

/// The entries of a directory under `sysroot` as (name, path); empty when unreadable.
fn entries(sysroot: &Path, dir: &str) -> Vec<(String, PathBuf)> {
    fs::read_dir(under(sysroot, dir))
        .map(|rd| {
            rd.flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default()
}

/// (pid, comm) of every process under `sysroot`, by pid.
fn processes(sysroot: &Path) -> Vec<(u32, String)> {
    let mut procs: Vec<(u32, String)> = entries(sysroot, "proc")
        .into_iter()
        .filter_map(|(name, path)| {
            let pid = name.parse().ok()?;
            let comm = fs::read_to_string(path.join("comm")).ok()?;
            Some((pid, comm.trim().to_owned()))
        })
        .collect();
    procs.sort();
    procs
}

/// Units systemd has started under `sysroot`.
fn started_units(sysroot: &Path) -> Vec<String> {
    entries(sysroot, "run/systemd/units")
        .into_iter()
        .filter_map(|(name, _)| name.strip_prefix("invocation:").map(String::from))
        .collect()
}

/// The `*.wants/` directories of the systemd unit search path under `sysroot`.
fn wants_dirs(sysroot: &Path) -> Vec<PathBuf> {
    [
        "etc/systemd/system",
        "usr/lib/systemd/system",
        "lib/systemd/system",
    ]
    .into_iter()
    .flat_map(|dir| entries(sysroot, dir))
    .filter(|(name, _)| name.ends_with(".wants"))
    .map(|(_, path)| path)
    .collect()
}

/// Finds the manager of `ifname` under `sysroot` (see the crate docs for the order), or
/// `None` when nothing manages Wi-Fi.
pub fn find(sysroot: &Path, ifname: &str) -> Option<Found> {
    let procs = processes(sysroot);
    let started = started_units(sysroot);
    let seen = |m: Manager| -> Option<Evidence> {
        if let Some((pid, _)) = procs.iter().find(|(_, c)| c == m.name()) {
            return Some(Evidence::Running { pid: *pid });
        }
        let unit = m.units(ifname).into_iter().find(|u| started.contains(u))?;
        Some(Evidence::Started { unit })
    };
    let mut running = ORDER.into_iter().filter_map(|m| Some((m, seen(m)?)));
    if let Some((manager, evidence)) = running.next() {
        let backend = (manager == Manager::NetworkManager)
            .then(|| running.next().map(|(b, _)| b))
            .flatten();
        return Some(Found {
            manager,
            evidence,
            backend,
        });
    }
    let wants = wants_dirs(sysroot);
    ORDER.into_iter().find_map(|m| {
        let unit = m
            .units(ifname)
            .into_iter()
            .find(|u| wants.iter().any(|w| w.join(u).symlink_metadata().is_ok()))?;
        Some(Found {
            manager: m,
            evidence: Evidence::Enabled { unit },
            backend: None,
        })
    })
}

/// Detects the manager (unless `setting` names one) and its provisioned networks for `ifname`.
pub fn detect(sysroot: &Path, ifname: &str, setting: ManagerSetting) -> Network {
    let configured = |manager| Found {
        manager,
        evidence: Evidence::Configured,
        backend: None,
    };
    let found = match setting {
        ManagerSetting::Auto => find(sysroot, ifname).unwrap_or(Found {
            manager: Manager::None,
            evidence: Evidence::NoneFound,
            backend: None,
        }),
        ManagerSetting::NetworkManager => configured(Manager::NetworkManager),
        ManagerSetting::WpaSupplicant => configured(Manager::WpaSupplicant),
        ManagerSetting::Iwd => configured(Manager::Iwd),
        ManagerSetting::None => configured(Manager::None),
    };
    let (provisioned, sources) = provisioned(sysroot, found.manager, ifname)
        .into_iter()
        .unzip();
    Network {
        manager: found.manager,
        backend: found.backend,
        evidence: found.evidence.to_string(),
        provisioned,
        sources,
    }
}

/// The networks provisioned for `manager` on `ifname`, as (name, file), in file order.
pub fn provisioned(sysroot: &Path, manager: Manager, ifname: &str) -> Vec<(String, String)> {
    match manager {
        Manager::NetworkManager => networkmanager(sysroot),
        Manager::WpaSupplicant => wpa_supplicant(sysroot, ifname),
        Manager::Iwd => iwd(sysroot),
        Manager::None => Vec::new(),
    }
}

/// Files of `dir` (relative to the sysroot), sorted, as (display path, contents).
fn files(sysroot: &Path, dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = entries(sysroot, dir)
        .into_iter()
        .filter_map(|(name, path)| Some((format!("/{dir}/{name}"), fs::read_to_string(path).ok()?)))
        .collect();
    out.sort();
    out
}

/// NetworkManager keyfiles of type Wi-Fi (`[connection] type=wifi`), named by SSID, else id.
fn networkmanager(sysroot: &Path) -> Vec<(String, String)> {
    [
        "etc/NetworkManager/system-connections",
        "run/NetworkManager/system-connections",
    ]
    .into_iter()
    .flat_map(|dir| files(sysroot, dir))
    .filter_map(|(path, text)| Some((nm_wifi_name(&text)?, path)))
    .collect()
}

/// The network name of a NetworkManager keyfile, if it is a Wi-Fi connection.
pub fn nm_wifi_name(keyfile: &str) -> Option<String> {
    let mut section = "";
    let (mut wifi, mut id, mut ssid) = (false, None, None);
    for line in keyfile.lines().map(str::trim) {
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match (section, key.trim()) {
            ("connection", "type") => {
                wifi = matches!(value.trim(), "wifi" | "802-11-wireless");
            }
            ("connection", "id") => id = Some(value.trim().to_owned()),
            ("wifi" | "802-11-wireless", "ssid") => ssid = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    wifi.then(|| ssid.or(id).unwrap_or_else(|| "?".into()))
}

/// `network={...}` blocks of the wpa_supplicant configuration files for `ifname`.
fn wpa_supplicant(sysroot: &Path, ifname: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for rel in [
        format!("etc/wpa_supplicant/wpa_supplicant-{ifname}.conf"),
        format!("etc/wpa_supplicant/wpa_supplicant-nl80211-{ifname}.conf"),
        "etc/wpa_supplicant/wpa_supplicant.conf".into(),
        "etc/wpa_supplicant.conf".into(),
    ] {
        let Ok(text) = fs::read_to_string(under(sysroot, &rel)) else {
            continue;
        };
        for name in wpa_networks(&text) {
            found.push((name, format!("/{rel}")));
        }
    }
    found
}

/// Names (`ssid`) of the `network={...}` blocks of a wpa_supplicant configuration.
pub fn wpa_networks(conf: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut current: Option<Option<String>> = None;
    for line in conf.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact == "network={" {
            current = Some(None);
        } else if compact == "}" {
            if let Some(name) = current.take() {
                names.push(name.unwrap_or_else(|| "?".into()));
            }
        } else if let (Some(name), Some(v)) = (current.as_mut(), line.strip_prefix("ssid=")) {
            *name = Some(v.trim().trim_matches('"').to_owned());
        }
    }
    names
}

/// iwd's known networks: `/var/lib/iwd/NAME.{psk,open,8021x}` (a name with characters outside
/// `[A-Za-z0-9 _-]` is stored as `=HEX`).
fn iwd(sysroot: &Path) -> Vec<(String, String)> {
    files(sysroot, "var/lib/iwd")
        .into_iter()
        .filter_map(|(path, _)| {
            let file = Path::new(&path).file_name()?.to_str()?.to_owned();
            let (stem, ext) = file.rsplit_once('.')?;
            matches!(ext, "psk" | "open" | "8021x").then(|| (iwd_name(stem), path))
        })
        .collect()
}

/// Decodes iwd's `=HEX` file names; other names are the SSID itself.
pub fn iwd_name(stem: &str) -> String {
    let Some(hex) = stem.strip_prefix('=') else {
        return stem.to_owned();
    };
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    bytes.map_or_else(
        || stem.to_owned(),
        |b| String::from_utf8_lossy(&b).into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn link(root: &Path, rel: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("/dev/null", p).unwrap();
    }

    /// A tree with the given processes (pids from 100) and started units.
    fn tree(procs: &[&str], units: &[&str]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (i, p) in procs.iter().enumerate() {
            put(
                t.path(),
                &format!("proc/{}/comm", 100 + i),
                &format!("{p}\n"),
            );
        }
        put(t.path(), "proc/self/comm", "bes2600-smoke\n");
        for unit in units {
            put(
                t.path(),
                &format!("run/systemd/units/invocation:{unit}"),
                "",
            );
        }
        t
    }

    /// (manager, evidence, backend) as one string, for table tests.
    fn summary(found: Option<Found>) -> String {
        match found {
            None => "none".into(),
            Some(f) => match f.backend {
                Some(b) => format!("{} {} backend {}", f.manager.name(), f.evidence, b.name()),
                None => format!("{} {}", f.manager.name(), f.evidence),
            },
        }
    }

    const NM_WIFI: &str =
        "[connection]\nid=home\nuuid=1\ntype=wifi\n\n[wifi]\nmode=infrastructure\n\
                           ssid=HomeNet\n\n[wifi-security]\nkey-mgmt=wpa-psk\npsk=secret\n";

    #[test]
    fn each_manager_running_started_or_none() {
        let cases: [(&[&str], &[&str], &str); 8] = [
            (&["systemd", "sshd"], &[], "none"),
            (
                &["NetworkManager", "wpa_supplicant"],
                &[],
                "NetworkManager running (pid 100) backend wpa_supplicant",
            ),
            (
                &["iwd", "NetworkManager"],
                &[],
                "NetworkManager running (pid 101) backend iwd",
            ),
            (&["iwd"], &[], "iwd running (pid 100)"),
            (&["wpa_supplicant"], &[], "wpa_supplicant running (pid 100)"),
            (
                &[],
                &["wpa_supplicant@wlan0.service"],
                "wpa_supplicant started (wpa_supplicant@wlan0.service)",
            ),
            // Another interface's supplicant does not manage ours.
            (&[], &["wpa_supplicant@wlan1.service"], "none"),
            (
                &["wpa_supplicant"],
                &["NetworkManager.service"],
                "NetworkManager started (NetworkManager.service) backend wpa_supplicant",
            ),
        ];
        for (procs, units, want) in cases {
            let t = tree(procs, units);
            assert_eq!(
                summary(find(t.path(), "wlan0")),
                want,
                "{procs:?} {units:?}"
            );
        }
    }

    #[test]
    fn nothing_at_all_is_no_manager_and_no_network() {
        let dir = tempfile::tempdir().unwrap();
        let n = detect(dir.path(), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::None);
        assert_eq!(n.evidence, "none found");
        assert!(n.provisioned.is_empty());
    }

    #[test]
    fn running_networkmanager_wins_over_its_wpa_supplicant_backend() {
        let t = tree(&[], &[]);
        put(t.path(), "proc/1/comm", "systemd\n");
        put(t.path(), "proc/300/comm", "wpa_supplicant\n");
        put(t.path(), "proc/299/comm", "NetworkManager\n");
        put(
            t.path(),
            "etc/NetworkManager/system-connections/home.nmconnection",
            NM_WIFI,
        );
        put(
            t.path(),
            "etc/NetworkManager/system-connections/eth.nmconnection",
            "[connection]\nid=eth\ntype=ethernet\n",
        );
        let n = detect(t.path(), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::NetworkManager);
        assert_eq!(n.backend, Some(Manager::WpaSupplicant));
        assert_eq!(n.evidence, "running (pid 299)");
        assert_eq!(n.provisioned, ["HomeNet"]);
        assert_eq!(
            n.sources,
            ["/etc/NetworkManager/system-connections/home.nmconnection"]
        );
    }

    /// The tree meta-bes2600's `bes2600-wifi-provision` leaves (the same paths).
    #[test]
    fn enabled_unit_is_found_when_nothing_runs_yet() {
        let t = tree(&["systemd"], &[]);
        link(
            t.path(),
            "etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service",
        );
        put(
            t.path(),
            "etc/wpa_supplicant/wpa_supplicant-wlan0.conf",
            "ctrl_interface=/run/wpa_supplicant\n# network={\nnetwork={\n\tssid=\"Cafe\"\n\
             \tpsk=\"x\"\n}\nnetwork = {\n  key_mgmt=NONE\n}\n",
        );
        let n = detect(t.path(), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::WpaSupplicant);
        assert_eq!(n.evidence, "enabled (wpa_supplicant@wlan0.service)");
        assert_eq!(n.provisioned, ["Cafe", "?"]);
        assert_eq!(
            n.sources,
            [
                "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf",
                "/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
            ]
        );
    }

    #[test]
    fn iwd_known_networks_and_hex_names() {
        let t = tree(&["iwd"], &[]);
        put(
            t.path(),
            "var/lib/iwd/Office.psk",
            "[Security]\nPassphrase=x\n",
        );
        put(t.path(), "var/lib/iwd/=4361666521.open", "");
        put(t.path(), "var/lib/iwd/notes.txt", "");
        let n = detect(t.path(), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::Iwd);
        assert_eq!(n.provisioned, ["Cafe!", "Office"]);
        assert_eq!(iwd_name("=zz"), "=zz");
        assert_eq!(iwd_name("=4"), "=4");
    }

    #[test]
    fn a_configured_manager_is_not_detected() {
        let t = tree(&["NetworkManager"], &[]);
        let n = detect(t.path(), "wlan0", ManagerSetting::None);
        assert_eq!(
            (n.manager, n.evidence.as_str()),
            (Manager::None, "configured")
        );
        let n = detect(t.path(), "wlan0", ManagerSetting::Iwd);
        assert_eq!(n.manager, Manager::Iwd);
        assert!(n.provisioned.is_empty());
    }

    #[test]
    fn keyfile_and_wpa_parsers_ignore_other_things() {
        assert_eq!(nm_wifi_name("[connection]\ntype=ethernet\n"), None);
        assert_eq!(
            nm_wifi_name("[connection]\nid=x\ntype=802-11-wireless\n").as_deref(),
            Some("x")
        );
        assert_eq!(nm_wifi_name("garbage\n[[\n=\n"), None);
        assert!(wpa_networks("ctrl_interface=/run\n}\n").is_empty());
        assert_eq!(
            wpa_networks("network={\nssid=\"a\"\n").len(),
            0,
            "unterminated"
        );
    }
}
