//! What the device tells about itself: module, firmware, driver counters (contracts.md debugfs),
//! interface state and association, all read under a sysroot so tests can fake the tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Driver name in `/proc/modules` and `/sys/module`.
pub const MODULE: &str = "bes2600";
/// `IFF_UP` of `<linux/if.h>`: the interface is administratively up.
const IFF_UP: u32 = 0x1;

/// Why something could not be read from the device.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file does not have the documented format.
    #[error("{path}:{line}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A tool could not be run or failed.
    #[error("`{command}` failed: {reason}")]
    Tool {
        /// The command line.
        command: String,
        /// What happened.
        reason: String,
    },
}

fn read_path(path: PathBuf) -> Result<String, HostError> {
    std::fs::read_to_string(&path).map_err(|source| HostError::Read { path, source })
}

/// Files and tools of one device, seen under `sysroot` (`/` on the device).
#[derive(Debug, Clone)]
pub struct Host {
    sysroot: PathBuf,
}

impl Host {
    /// A host whose `/proc`, `/sys` and debugfs live under `sysroot`.
    pub fn new(sysroot: impl Into<PathBuf>) -> Self {
        Self {
            sysroot: sysroot.into(),
        }
    }

    /// Path of `rel` (a path relative to `/`) under the sysroot.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.sysroot.join(rel.trim_start_matches('/'))
    }

    fn read(&self, rel: &str) -> Result<String, HostError> {
        read_path(self.path(rel))
    }

    /// Path of the driver's debugfs file `name` (under its wiphy, found by
    /// `bes2600_netmgr::debugfs`); when the driver has none, the pattern, for the message.
    fn debugfs(&self, name: &str) -> PathBuf {
        bes2600_netmgr::debugfs::driver_dir(&self.sysroot)
            .unwrap_or_else(|| bes2600_netmgr::debugfs::display_pattern(&self.sysroot))
            .join(name)
    }

    /// Whether the driver is loaded: listed in `/proc/modules`, or present in `/sys/module`
    /// (built in). An unreadable `/proc/modules` falls back to `/sys/module` alone.
    pub fn module_loaded(&self) -> bool {
        if self.path(&format!("sys/module/{MODULE}")).is_dir() {
            return true;
        }
        self.read("proc/modules")
            .map(|text| {
                text.lines()
                    .any(|l| l.split_whitespace().next() == Some(MODULE))
            })
            .unwrap_or(false)
    }

    /// The firmware version string from debugfs `fw_version` (first line, trimmed).
    pub fn firmware_version(&self) -> Result<String, HostError> {
        let path = self.debugfs("fw_version");
        let text = read_path(path.clone())?;
        let line = text.lines().next().unwrap_or("").trim();
        if line.is_empty() {
            return Err(HostError::Format {
                path,
                line: 1,
                reason: "empty firmware version".into(),
            });
        }
        Ok(line.to_owned())
    }

    /// The driver's counters from debugfs `counters`.
    pub fn counters(&self) -> Result<Counters, HostError> {
        let path = self.debugfs("counters");
        let text = read_path(path.clone())?;
        Counters::parse(&text).map_err(|(line, reason)| HostError::Format { path, line, reason })
    }

    /// Number of recovery events in debugfs `recovery` (one per line).
    pub fn recovery_events(&self) -> Result<u64, HostError> {
        let text = read_path(self.debugfs("recovery"))?;
        Ok(text.lines().filter(|l| !l.trim().is_empty()).count() as u64)
    }

    /// Whether the interface exists (`/sys/class/net/IF`).
    pub fn interface_exists(&self, ifname: &str) -> bool {
        self.path(&format!("sys/class/net/{ifname}")).exists()
    }

    /// Whether the interface is administratively up (`IFF_UP` in `/sys/class/net/IF/flags`).
    pub fn admin_up(&self, ifname: &str) -> Result<bool, HostError> {
        let rel = format!("sys/class/net/{ifname}/flags");
        let text = self.read(&rel)?;
        let t = text.trim();
        u32::from_str_radix(t.trim_start_matches("0x"), 16)
            .map(|flags| flags & IFF_UP != 0)
            .map_err(|_| HostError::Format {
                path: self.path(&rel),
                line: 1,
                reason: format!("`{t}` is not a hexadecimal flag word"),
            })
    }

    /// The interface's operstate (`up`, `down`, `dormant`, ...).
    pub fn operstate(&self, ifname: &str) -> Result<String, HostError> {
        Ok(self
            .read(&format!("sys/class/net/{ifname}/operstate"))?
            .trim()
            .to_owned())
    }
}

/// `RcvbufErrors` of the `Udp:` lines of `/proc/net/snmp` text: datagrams the host dropped
/// because a socket's receive buffer was full (the receiver fell behind, not the link).
pub fn parse_udp_rcvbuf_errors(snmp: &str) -> Option<u64> {
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let names = udp.next()?;
    let values = udp.next()?;
    let index = names.split_whitespace().position(|n| n == "RcvbufErrors")?;
    values.split_whitespace().nth(index)?.parse().ok()
}

impl Host {
    /// UDP receive-buffer drops of this host (network namespace) so far, if readable.
    pub fn udp_rcvbuf_errors(&self) -> Option<u64> {
        parse_udp_rcvbuf_errors(&self.read("proc/net/snmp").ok()?)
    }
}

/// The driver's counters: `name value` pairs, one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Counters(pub BTreeMap<String, u64>);

/// Counters the contract promises (contracts.md, debugfs `counters`).
pub const REQUIRED_COUNTERS: [&str; 7] = [
    "rx_frames",
    "rx_bursts",
    "tx_frames",
    "bus_transactions",
    "bh_wakeups",
    "drops_total",
    "recoveries_total",
];

impl Counters {
    /// Parses the debugfs text; the error is `(1-based line, reason)`.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut map = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            let value = words
                .next()
                .ok_or_else(|| (i + 1, format!("`{name}` has no value")))?;
            if words.next().is_some() {
                return Err((i + 1, format!("`{line}` is not `name value`")));
            }
            let value: u64 = value
                .parse()
                .map_err(|_| (i + 1, format!("`{value}` is not a decimal u64")))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Self(map))
    }

    /// One counter, if present.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.0.get(name).copied()
    }

    /// Required counters that are absent.
    pub fn missing_required(&self) -> Vec<&'static str> {
        REQUIRED_COUNTERS
            .into_iter()
            .filter(|n| !self.0.contains_key(*n))
            .collect()
    }

    /// `after - self` per counter present in both (a counter that went backwards, e.g. after
    /// a module reload, gives its `after` value: it restarted from zero).
    pub fn delta(&self, after: &Counters) -> Counters {
        Counters(
            after
                .0
                .iter()
                .filter_map(|(k, &a)| {
                    let b = self.get(k)?;
                    Some((k.clone(), a.checked_sub(b).unwrap_or(a)))
                })
                .collect(),
        )
    }
}

/// Driver cost per frame, from counter deltas over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerFrame {
    /// Frames moved (`rx_frames + tx_frames`).
    pub frames: u64,
    /// `bus_transactions / frames`.
    pub bus_transactions_per_frame: Option<f64>,
    /// `bh_wakeups / frames`.
    pub bh_wakeups_per_frame: Option<f64>,
}

impl PerFrame {
    /// Computes per-frame costs from a delta; `None` ratios when no frame moved.
    pub fn from_delta(delta: &Counters) -> Self {
        let frames = delta
            .get("rx_frames")
            .unwrap_or(0)
            .saturating_add(delta.get("tx_frames").unwrap_or(0));
        let ratio = |name| {
            let v = delta.get(name)?;
            (frames > 0).then(|| v as f64 / frames as f64)
        };
        Self {
            frames,
            bus_transactions_per_frame: ratio("bus_transactions"),
            bh_wakeups_per_frame: ratio("bh_wakeups"),
        }
    }
}

/// What `iw dev IF link` says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Associated to an AP.
    pub connected: bool,
    /// The AP's BSSID.
    pub bssid: Option<String>,
    /// The network name.
    pub ssid: Option<String>,
    /// Channel frequency in MHz.
    pub freq_mhz: Option<u32>,
    /// Signal in dBm.
    pub signal_dbm: Option<i32>,
    /// The `tx bitrate:` line as printed.
    pub tx_bitrate: Option<String>,
}

impl Link {
    /// Parses `iw dev IF link` output.
    pub fn parse(text: &str) -> Self {
        let mut link = Link::default();
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("Connected to ") {
                link.connected = true;
                link.bssid = rest.split_whitespace().next().map(str::to_owned);
            } else if let Some(v) = line.strip_prefix("SSID:") {
                link.ssid = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("freq:") {
                // Newer iw prints "freq: 2437.0".
                let v = v.trim();
                link.freq_mhz = v.split('.').next().and_then(|f| f.parse().ok());
            } else if let Some(v) = line.strip_prefix("signal:") {
                link.signal_dbm = v.split_whitespace().next().and_then(|s| s.parse().ok());
            } else if let Some(v) = line.strip_prefix("tx bitrate:") {
                link.tx_bitrate = Some(v.trim().to_owned());
            }
        }
        link
    }
}

/// Runs a tool and returns its standard output; a non-zero exit is an error.
pub fn run_tool(program: &Path, args: &[&str]) -> Result<String, HostError> {
    let command = format!("{} {}", program.display(), args.join(" "));
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| HostError::Tool {
            command: command.clone(),
            reason: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(HostError::Tool {
            command,
            reason: format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The IP addresses in `ip -o addr show dev IF` output.
pub fn parse_ip_addrs(text: &str) -> Vec<std::net::IpAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words.find(|w| *w == "inet" || *w == "inet6")?;
            let cidr = words.next()?;
            cidr.split('/').next()?.parse().ok()
        })
        .collect()
}

/// Asks `ip -o addr show dev IF` for the interface's addresses.
pub fn interface_addrs(ip: &Path, ifname: &str) -> Result<Vec<std::net::IpAddr>, HostError> {
    run_tool(ip, &["-o", "addr", "show", "dev", ifname]).map(|out| parse_ip_addrs(&out))
}

/// The BSSIDs of `iw dev IF scan` or `iw dev IF scan dump` output (its `BSS xx:..` lines).
pub fn parse_scan(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("BSS "))
        .filter_map(|rest| {
            let bssid: String = rest
                .chars()
                .take_while(|c| *c != '(' && *c != ' ')
                .collect();
            (bssid.len() == 17 && bssid.chars().filter(|c| *c == ':').count() == 5).then_some(bssid)
        })
        .collect()
}

/// Asks `iw dev IF link` about the association.
pub fn iw_link(iw: &Path, ifname: &str) -> Result<Link, HostError> {
    run_tool(iw, &["dev", ifname, "link"]).map(|out| Link::parse(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The driver's debugfs in the fake trees: under a wiphy, as bes2600.ko creates it.
    const DEBUGFS_DIR: &str = "sys/kernel/debug/ieee80211/phy0/bes2600";

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let dbg = dir.path().join(DEBUGFS_DIR);
        std::fs::create_dir_all(&dbg).unwrap();
        std::fs::create_dir_all(dir.path().join("proc")).unwrap();
        std::fs::create_dir_all(dir.path().join("sys/class/net/wlan0")).unwrap();
        dir
    }

    #[test]
    fn module_from_proc_modules_or_sys_module() {
        let dir = tree();
        let host = Host::new(dir.path());
        assert!(!host.module_loaded(), "no /proc/modules at all");
        std::fs::write(
            dir.path().join("proc/modules"),
            "bes2600_x 1 0 - Live 0x0\ncfg80211 1 0 - Live 0x0\n",
        )
        .unwrap();
        assert!(!host.module_loaded(), "a prefix is not the module");
        std::fs::write(
            dir.path().join("proc/modules"),
            "bes2600 1 0 - Live 0x0 (O)\n",
        )
        .unwrap();
        assert!(host.module_loaded());
        std::fs::write(dir.path().join("proc/modules"), "").unwrap();
        std::fs::create_dir_all(dir.path().join("sys/module/bes2600")).unwrap();
        assert!(host.module_loaded(), "built in");
    }

    #[test]
    fn firmware_version_and_operstate() {
        let dir = tree();
        let host = Host::new(dir.path());
        assert!(matches!(
            host.firmware_version(),
            Err(HostError::Read { .. })
        ));
        std::fs::write(dir.path().join(DEBUGFS_DIR).join("fw_version"), "\n").unwrap();
        assert!(matches!(
            host.firmware_version(),
            Err(HostError::Format { .. })
        ));
        std::fs::write(
            dir.path().join(DEBUGFS_DIR).join("fw_version"),
            "SYNTH-1.2 sim\n",
        )
        .unwrap();
        assert_eq!(host.firmware_version().unwrap(), "SYNTH-1.2 sim");
        std::fs::write(dir.path().join("sys/class/net/wlan0/operstate"), "up\n").unwrap();
        assert_eq!(host.operstate("wlan0").unwrap(), "up");
        assert!(host.operstate("wlan1").is_err());
    }

    #[test]
    fn counters_parse_and_reject() {
        let c = Counters::parse("rx_frames 10\ntx_frames 5\n\nbus_transactions 3\n").unwrap();
        assert_eq!(c.get("rx_frames"), Some(10));
        assert!(c.missing_required().contains(&"bh_wakeups"));
        assert_eq!(Counters::parse("rx_frames\n").unwrap_err().0, 1);
        assert_eq!(Counters::parse("a 1\nb -1\n").unwrap_err().0, 2);
        assert_eq!(Counters::parse("a 1 2\n").unwrap_err().0, 1);
        assert!(Counters::parse("a 18446744073709551616\n").is_err());
    }

    #[test]
    fn deltas_and_per_frame() {
        let before = Counters::parse(
            "rx_frames 100\ntx_frames 0\nbus_transactions 50\nbh_wakeups 10\nnew_later 1\n",
        )
        .unwrap();
        let after = Counters::parse(
            "rx_frames 1100\ntx_frames 1000\nbus_transactions 250\nbh_wakeups 30\nrestarted 5\n",
        )
        .unwrap();
        let d = before.delta(&after);
        assert_eq!(d.get("rx_frames"), Some(1000));
        assert_eq!(d.get("restarted"), None, "absent before");
        let p = PerFrame::from_delta(&d);
        assert_eq!(p.frames, 2000);
        assert_eq!(p.bus_transactions_per_frame, Some(0.1));
        assert_eq!(p.bh_wakeups_per_frame, Some(0.01));
        let backwards = Counters::parse("rx_frames 7\n").unwrap();
        assert_eq!(before.delta(&backwards).get("rx_frames"), Some(7));
        let idle = PerFrame::from_delta(&Counters::default());
        assert_eq!(idle.bus_transactions_per_frame, None);
    }

    #[test]
    fn udp_rcvbuf_errors_from_snmp() {
        let snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n\
            Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n\
            Udp: 59742 3 5515 66152 5514 0\n\
            UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n\
            UdpLite: 0 0 0 0 7 0\n";
        assert_eq!(parse_udp_rcvbuf_errors(snmp), Some(5514));
        assert_eq!(parse_udp_rcvbuf_errors("Udp: InDatagrams\nUdp: 1\n"), None);
        assert_eq!(parse_udp_rcvbuf_errors(""), None);
    }

    #[test]
    fn recovery_lines_are_counted() {
        let dir = tree();
        let host = Host::new(dir.path());
        std::fs::write(
            dir.path().join(DEBUGFS_DIR).join("recovery"),
            "12 decrypt_storm 1\n30 fw_hang 2\n",
        )
        .unwrap();
        assert_eq!(host.recovery_events().unwrap(), 2);
    }

    #[test]
    fn iw_link_connected_and_not() {
        let l = Link::parse(
            "Connected to 02:b5:26:00:00:01 (on wlan0)\n\tSSID: bes2600-sim\n\tfreq: 2437.0\n\
             \tsignal: -41 dBm\n\ttx bitrate: 65.0 MBit/s MCS 7\n",
        );
        assert!(l.connected);
        assert_eq!(l.bssid.as_deref(), Some("02:b5:26:00:00:01"));
        assert_eq!(l.ssid.as_deref(), Some("bes2600-sim"));
        assert_eq!(l.freq_mhz, Some(2437));
        assert_eq!(l.signal_dbm, Some(-41));
        assert_eq!(l.tx_bitrate.as_deref(), Some("65.0 MBit/s MCS 7"));
        assert!(!Link::parse("Not connected.\n").connected);
    }

    #[test]
    fn scan_output_lists_bssids() {
        let out = "BSS 02:b5:26:00:00:01(on wlan0) -- associated\n\tTSF: 0 usec\n\
                   \tSSID: bes2600-sim\nBSS 0a:00:00:00:00:02(on wlan0)\n\tSSID: x\n\
                   BSS Load:\n";
        assert_eq!(parse_scan(out), ["02:b5:26:00:00:01", "0a:00:00:00:00:02"]);
        assert!(parse_scan("").is_empty());
    }

    #[test]
    fn interface_flags() {
        let dir = tree();
        let host = Host::new(dir.path());
        assert!(host.interface_exists("wlan0"));
        assert!(!host.interface_exists("wlan1"));
        assert!(host.admin_up("wlan0").is_err());
        std::fs::write(dir.path().join("sys/class/net/wlan0/flags"), "0x1003\n").unwrap();
        assert!(host.admin_up("wlan0").unwrap());
        std::fs::write(dir.path().join("sys/class/net/wlan0/flags"), "0x1002\n").unwrap();
        assert!(!host.admin_up("wlan0").unwrap());
        std::fs::write(dir.path().join("sys/class/net/wlan0/flags"), "up\n").unwrap();
        assert!(matches!(
            host.admin_up("wlan0"),
            Err(HostError::Format { .. })
        ));
    }

    #[test]
    fn ip_addresses_of_an_interface() {
        let text = "3: wlan0    inet 192.0.2.2/24 brd 192.0.2.255 scope global wlan0\\       valid_lft forever\n\
                    3: wlan0    inet6 fe80::b5:26ff:fe00:2/64 scope link \\       valid_lft forever\n";
        let addrs = parse_ip_addrs(text);
        assert_eq!(
            addrs,
            vec![
                "192.0.2.2".parse::<std::net::IpAddr>().unwrap(),
                "fe80::b5:26ff:fe00:2".parse().unwrap()
            ]
        );
        assert!(parse_ip_addrs("").is_empty());
        assert!(parse_ip_addrs("3: wlan0    inet garbage/24\n").is_empty());
    }

    #[test]
    fn missing_tool_is_an_error() {
        let e = run_tool(Path::new("/nonexistent/iw"), &["dev"]).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/iw dev"), "{e}");
    }
}
