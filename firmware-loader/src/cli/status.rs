// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw status`: what the driver exposes in sysfs and debugfs (contracts: module
//! parameters, `/sys/kernel/debug/ieee80211/<phy>/bes2600/{counters,fw_version,recovery}`).

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::netmgr::{self, NetManager};
use super::under;

/// One recovery event line: `<seconds since load> <cause> <count>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    /// Seconds since the module loaded.
    pub seconds: f64,
    /// Cause name.
    pub cause: String,
    /// Running count for that cause.
    pub count: u64,
}

/// The wireless interface the driver created.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interface {
    /// Interface name.
    pub name: String,
    /// `operstate`.
    pub operstate: Option<String>,
    /// MAC address.
    pub address: Option<String>,
}

/// Everything `status` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// `/sys/module/bes2600` exists.
    pub module_loaded: bool,
    /// Module parameters (`bus`, `fw_type`) when readable.
    pub params: Vec<(String, String)>,
    /// `fw_version`.
    pub fw_version: Option<String>,
    /// The interface, if any.
    pub interface: Option<Interface>,
    /// The network manager in use (issue 17).
    pub network_manager: NetManager,
    /// `counters`, in file order.
    pub counters: Vec<(String, u64)>,
    /// `recovery`, in file order.
    pub recovery: Vec<Recovery>,
    /// Lines of the debugfs files that did not parse.
    pub malformed: Vec<String>,
}

fn read_trim(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

/// Reads the status under `sysroot`. Missing files are reported as absent, not errors.
pub fn read(sysroot: &Path, module: &str) -> Status {
    let modp = under(sysroot, &format!("/sys/module/{module}"));
    let mut params = Vec::new();
    for p in ["bus", "fw_type"] {
        if let Some(v) = read_trim(&modp.join("parameters").join(p)) {
            params.push((p.to_string(), v));
        }
    }
    // The driver's directory under its wiphy (absent: no driver, every debugfs read is empty).
    let dbg = bes2600_netmgr::debugfs::driver_dir(sysroot)
        .unwrap_or_else(|| bes2600_netmgr::debugfs::display_pattern(sysroot));
    let mut malformed = Vec::new();
    let mut counters = Vec::new();
    if let Ok(text) = fs::read_to_string(dbg.join("counters")) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut it = line.split_whitespace();
            match (it.next(), it.next().map(str::parse::<u64>), it.next()) {
                (Some(n), Some(Ok(v)), None) => counters.push((n.to_string(), v)),
                _ => malformed.push(format!("counters: {line}")),
            }
        }
    }
    let mut recovery = Vec::new();
    if let Ok(text) = fs::read_to_string(dbg.join("recovery")) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                [s, c, n] => match (s.parse::<f64>(), n.parse::<u64>()) {
                    (Ok(seconds), Ok(count)) => recovery.push(Recovery {
                        seconds,
                        cause: c.to_string(),
                        count,
                    }),
                    _ => malformed.push(format!("recovery: {line}")),
                },
                _ => malformed.push(format!("recovery: {line}")),
            }
        }
    }
    let interface = find_interface(sysroot);
    // The manager of the driver's interface (per-interface units such as
    // wpa_supplicant@wlan0.service), wlan0 when the driver has none yet.
    let ifname = interface.as_ref().map_or("wlan0", |i| i.name.as_str());
    let network_manager = netmgr::detect(sysroot, ifname);
    Status {
        module_loaded: modp.is_dir(),
        params,
        fw_version: read_trim(&dbg.join("fw_version")),
        interface,
        network_manager,
        counters,
        recovery,
        malformed,
    }
}

/// Finds a wireless interface whose device is bound to a `bes2600*` driver.
fn find_interface(sysroot: &Path) -> Option<Interface> {
    let net = under(sysroot, "/sys/class/net");
    let mut names: Vec<_> = fs::read_dir(net)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    names.into_iter().find_map(|dir| {
        if !dir.join("phy80211").exists() && !dir.join("wireless").exists() {
            return None;
        }
        let uevent = fs::read_to_string(dir.join("device/uevent")).ok()?;
        uevent
            .lines()
            .any(|l| {
                l.strip_prefix("DRIVER=")
                    .is_some_and(|d| d.starts_with("bes2600"))
            })
            .then(|| Interface {
                name: dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                operstate: read_trim(&dir.join("operstate")),
                address: read_trim(&dir.join("address")),
            })
    })
}

/// Prints the status as text.
pub fn print_text(s: &Status, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "module:     {}",
        if s.module_loaded {
            "loaded"
        } else {
            "not loaded"
        }
    )?;
    for (k, v) in &s.params {
        writeln!(out, "  {k} = {v}")?;
    }
    writeln!(
        out,
        "firmware:   {}",
        s.fw_version.as_deref().unwrap_or("(unknown)")
    )?;
    match &s.interface {
        Some(i) => writeln!(
            out,
            "interface:  {} ({}, {})",
            i.name,
            i.operstate.as_deref().unwrap_or("?"),
            i.address.as_deref().unwrap_or("?")
        )?,
        None => writeln!(out, "interface:  (none)")?,
    }
    writeln!(out, "network:    {}", s.network_manager)?;
    if !s.counters.is_empty() {
        writeln!(out, "counters:")?;
        for (k, v) in &s.counters {
            writeln!(out, "  {k:<24} {v}")?;
        }
    }
    writeln!(out, "recovery events: {}", s.recovery.len())?;
    for r in &s.recovery {
        writeln!(out, "  {:>10.3}s {} (#{})", r.seconds, r.cause, r.count)?;
    }
    for m in &s.malformed {
        writeln!(out, "warning: malformed line: {m}")?;
    }
    Ok(())
}
