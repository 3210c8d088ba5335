//! Which network manager runs the Wi-Fi (NetworkManager, wpa_supplicant, iwd or none), and
//! which networks it has been given, read from files under the sysroot so that tests can fake
//! them.
//!
//! The smoke test requires association only when a network is provisioned: a device that was
//! never given a network can still prove its driver, firmware and radio (a scan), but cannot be
//! expected to associate. Only network names are read; keys and passwords never are.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::host::Host;

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
    /// The process name (`/proc/PID/comm`) of the manager's daemon.
    fn comm(self) -> Option<&'static str> {
        match self {
            Self::NetworkManager => Some("NetworkManager"),
            Self::WpaSupplicant => Some("wpa_supplicant"),
            Self::Iwd => Some("iwd"),
            Self::None => None,
        }
    }

    /// Human name, as the manager spells itself.
    pub fn name(self) -> &'static str {
        self.comm().unwrap_or("none")
    }
}

/// Which manager to assume: detected, or set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagerSetting {
    /// Detect it (running daemons, then enabled units).
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

/// Detection order: NetworkManager first, as it runs wpa_supplicant or iwd as its backend.
const ORDER: [Manager; 3] = [
    Manager::NetworkManager,
    Manager::Iwd,
    Manager::WpaSupplicant,
];

/// What was found about the network manager and its networks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// The manager in use.
    pub manager: Manager,
    /// How it was found: `configured`, `running (pid N)`, `enabled (UNIT)` or `none found`.
    pub evidence: String,
    /// Names of the networks provisioned for it (SSIDs, or connection ids), in file order.
    pub provisioned: Vec<String>,
    /// The files the networks came from.
    pub sources: Vec<String>,
}

/// Detects the manager (unless `setting` names one) and its provisioned networks for `ifname`.
pub fn detect(host: &Host, ifname: &str, setting: ManagerSetting) -> Network {
    let (manager, evidence) = match setting {
        ManagerSetting::Auto => running(host)
            .or_else(|| enabled(host, ifname))
            .unwrap_or((Manager::None, "none found".into())),
        ManagerSetting::NetworkManager => (Manager::NetworkManager, "configured".into()),
        ManagerSetting::WpaSupplicant => (Manager::WpaSupplicant, "configured".into()),
        ManagerSetting::Iwd => (Manager::Iwd, "configured".into()),
        ManagerSetting::None => (Manager::None, "configured".into()),
    };
    let found = match manager {
        Manager::NetworkManager => networkmanager(host),
        Manager::WpaSupplicant => wpa_supplicant(host, ifname),
        Manager::Iwd => iwd(host),
        Manager::None => Vec::new(),
    };
    let (provisioned, sources) = found.into_iter().unzip();
    Network {
        manager,
        evidence,
        provisioned,
        sources,
    }
}

/// The first manager of [`ORDER`] with a process in `/proc`.
fn running(host: &Host) -> Option<(Manager, String)> {
    let mut procs: Vec<(u32, String)> = std::fs::read_dir(host.path("proc"))
        .ok()?
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
            Some((pid, comm.trim().to_owned()))
        })
        .collect();
    procs.sort();
    ORDER.into_iter().find_map(|m| {
        let (pid, _) = procs.iter().find(|(_, c)| Some(c.as_str()) == m.comm())?;
        Some((m, format!("running (pid {pid})")))
    })
}

/// The first manager of [`ORDER`] whose unit is enabled (a `*.wants/` link), for a boot where
/// the smoke test runs before the manager has started.
fn enabled(host: &Host, ifname: &str) -> Option<(Manager, String)> {
    let units = |m: Manager| -> Vec<String> {
        match m {
            Manager::NetworkManager => vec!["NetworkManager.service".into()],
            Manager::Iwd => vec!["iwd.service".into()],
            Manager::WpaSupplicant => vec![
                format!("wpa_supplicant@{ifname}.service"),
                format!("wpa_supplicant-nl80211@{ifname}.service"),
                "wpa_supplicant.service".into(),
            ],
            Manager::None => Vec::new(),
        }
    };
    let mut wants = Vec::new();
    for dir in [
        "etc/systemd/system",
        "usr/lib/systemd/system",
        "lib/systemd/system",
    ] {
        let Ok(entries) = std::fs::read_dir(host.path(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".wants") {
                wants.push(e.path());
            }
        }
    }
    ORDER.into_iter().find_map(|m| {
        let unit = units(m)
            .into_iter()
            .find(|u| wants.iter().any(|w| w.join(u).symlink_metadata().is_ok()))?;
        Some((m, format!("enabled ({unit})")))
    })
}

/// Files of `dir` (relative to the sysroot), sorted, as (display path, contents).
fn files(host: &Host, dir: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(host.path(dir)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .flatten()
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some((format!("/{dir}/{}", e.file_name().to_string_lossy()), text))
        })
        .collect();
    out.sort();
    out
}

/// NetworkManager keyfiles of type Wi-Fi (`[connection] type=wifi`), named by SSID, else id.
fn networkmanager(host: &Host) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for dir in [
        "etc/NetworkManager/system-connections",
        "run/NetworkManager/system-connections",
    ] {
        for (path, text) in files(host, dir) {
            if let Some(name) = nm_wifi_name(&text) {
                found.push((name, path));
            }
        }
    }
    found
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
fn wpa_supplicant(host: &Host, ifname: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for rel in [
        format!("etc/wpa_supplicant/wpa_supplicant-{ifname}.conf"),
        format!("etc/wpa_supplicant/wpa_supplicant-nl80211-{ifname}.conf"),
        "etc/wpa_supplicant/wpa_supplicant.conf".into(),
        "etc/wpa_supplicant.conf".into(),
    ] {
        let Ok(text) = std::fs::read_to_string(host.path(&rel)) else {
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
fn iwd(host: &Host) -> Vec<(String, String)> {
    files(host, "var/lib/iwd")
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
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn link(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink("/dev/null", p).unwrap();
    }

    const NM_WIFI: &str =
        "[connection]\nid=home\nuuid=1\ntype=wifi\n\n[wifi]\nmode=infrastructure\n\
                           ssid=HomeNet\n\n[wifi-security]\nkey-mgmt=wpa-psk\npsk=secret\n";

    #[test]
    fn nothing_at_all_is_no_manager_and_no_network() {
        let dir = tempfile::tempdir().unwrap();
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::None);
        assert_eq!(n.evidence, "none found");
        assert!(n.provisioned.is_empty());
    }

    #[test]
    fn running_networkmanager_wins_over_its_wpa_supplicant_backend() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "proc/1/comm", "systemd\n");
        put(dir.path(), "proc/300/comm", "wpa_supplicant\n");
        put(dir.path(), "proc/299/comm", "NetworkManager\n");
        put(dir.path(), "proc/self/comm", "bes2600-smoke\n");
        put(
            dir.path(),
            "etc/NetworkManager/system-connections/home.nmconnection",
            NM_WIFI,
        );
        put(
            dir.path(),
            "etc/NetworkManager/system-connections/eth.nmconnection",
            "[connection]\nid=eth\ntype=ethernet\n",
        );
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::NetworkManager);
        assert_eq!(n.evidence, "running (pid 299)");
        assert_eq!(n.provisioned, ["HomeNet"]);
        assert_eq!(
            n.sources,
            ["/etc/NetworkManager/system-connections/home.nmconnection"]
        );
    }

    #[test]
    fn enabled_unit_is_found_when_nothing_runs_yet() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "proc/1/comm", "systemd\n");
        link(
            dir.path(),
            "etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service",
        );
        put(
            dir.path(),
            "etc/wpa_supplicant/wpa_supplicant-wlan0.conf",
            "ctrl_interface=/run/wpa_supplicant\n# network={\nnetwork={\n\tssid=\"Cafe\"\n\
             \tpsk=\"x\"\n}\nnetwork = {\n  key_mgmt=NONE\n}\n",
        );
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::WpaSupplicant);
        assert_eq!(n.evidence, "enabled (wpa_supplicant@wlan0.service)");
        assert_eq!(n.provisioned, ["Cafe", "?"]);
    }

    #[test]
    fn iwd_known_networks_and_hex_names() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "proc/42/comm", "iwd\n");
        put(
            dir.path(),
            "var/lib/iwd/Office.psk",
            "[Security]\nPassphrase=x\n",
        );
        put(dir.path(), "var/lib/iwd/=4361666521.open", "");
        put(dir.path(), "var/lib/iwd/notes.txt", "");
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::Auto);
        assert_eq!(n.manager, Manager::Iwd);
        assert_eq!(n.provisioned, ["Cafe!", "Office"]);
        assert_eq!(iwd_name("=zz"), "=zz");
        assert_eq!(iwd_name("=4"), "=4");
    }

    #[test]
    fn a_configured_manager_is_not_detected() {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "proc/299/comm", "NetworkManager\n");
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::None);
        assert_eq!(
            (n.manager, n.evidence.as_str()),
            (Manager::None, "configured")
        );
        let n = detect(&Host::new(dir.path()), "wlan0", ManagerSetting::Iwd);
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
