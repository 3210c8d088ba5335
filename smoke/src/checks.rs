//! The prerequisite checks of `run`: what the device proves before any traffic (module,
//! firmware, counters, interface, a scan, association) and the network manager's view.
//!
//! What is required follows the configuration and the device: association only when a network
//! is provisioned (or `[connect]` or a peer is set), an interface `up` only when traffic or
//! association is expected. A device that was never given a network passes on module,
//! firmware, interface and a scan that sees at least one BSS.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::config::{Config, ConnectMethod, PeerTarget, Require};
use crate::host::{
    interface_addrs, iw_link, parse_scan, run_tool, Counters, Host, HostError, Link,
};
use crate::listener::Listener;
use crate::netmgr::{self, Manager, Network};
use crate::report::{Check, CheckStatus};

/// What the prerequisite phase learned.
#[derive(Debug, Default)]
pub struct Prereq {
    /// The checks in order.
    pub checks: Vec<Check>,
    /// Firmware version, when read.
    pub firmware: Option<String>,
    /// Counters before the run, when read.
    pub counters: Option<Counters>,
    /// The interface's addresses, when read.
    pub addrs: Option<Vec<IpAddr>>,
    /// The association, when checked and connected.
    pub link: Option<Link>,
    /// The network manager and its provisioned networks.
    pub network: Option<Network>,
    /// Whether association was required (and so is checked again at the end).
    pub association_required: bool,
}

impl Prereq {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Fail)
    }
}

fn check(name: &str, status: CheckStatus, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        status,
        detail: detail.into(),
    }
}

fn skipped(name: &str) -> Check {
    check(name, CheckStatus::Skipped, "turned off in [checks]")
}

/// The error and its causes on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s += &format!(": {c}");
        src = c.source();
    }
    s
}

/// Whether association is required, and why (for the report).
fn association_rule(cfg: &Config, target: PeerTarget, net: &Network) -> (bool, String) {
    match cfg.checks.associated {
        Require::Always => (true, "associated = true in [checks]".into()),
        Require::Never => (false, "turned off in [checks]".into()),
        Require::Auto if !net.provisioned.is_empty() => (
            true,
            format!("{} network(s) provisioned", net.provisioned.len()),
        ),
        Require::Auto if cfg.connect.is_some() => (true, "[connect] is set".into()),
        Require::Auto if target.measures() => (true, "a peer is configured".into()),
        Require::Auto => (
            false,
            format!(
                "no network provisioned (manager: {}), so association is not required",
                net.manager.name()
            ),
        ),
    }
}

/// Runs every prerequisite check in order, reporting each through `l`.
pub fn prerequisites(cfg: &Config, host: &Host, target: PeerTarget, l: &dyn Listener) -> Prereq {
    let mut p = Prereq::default();
    let ifname = cfg.interface.name.as_str();
    let push = |p: &mut Prereq, c: Check| {
        l.check(&c);
        p.checks.push(c);
    };
    push(&mut p, module(cfg, host));
    let (c, fw) = firmware(cfg, host);
    p.firmware = fw;
    push(&mut p, c);
    let (c, counters) = counters_check(cfg, host, l);
    p.counters = counters;
    push(&mut p, c);
    let net = netmgr::detect(host, ifname, cfg.network.manager);
    l.note(&network_line(&net));
    let (required, why) = association_rule(cfg, target, &net);
    p.association_required = required;
    if let Some(conn) = &cfg.connect {
        let c = match connect(cfg, conn.method) {
            Ok(detail) => check("connect", CheckStatus::Pass, detail),
            Err(e) => check("connect", CheckStatus::Fail, e),
        };
        push(&mut p, c);
    }
    let c = interface(cfg, host, required || target.measures());
    let interface_ok = c.status == CheckStatus::Pass;
    push(&mut p, c);
    push(&mut p, scan(cfg, host));
    if interface_ok && target.measures() {
        let c = match interface_addrs(&cfg.tools.ip, ifname) {
            Ok(addrs) if !addrs.is_empty() => {
                let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
                p.addrs = Some(addrs);
                check("address", CheckStatus::Pass, list.join(" "))
            }
            Ok(_) => check(
                "address",
                CheckStatus::Fail,
                format!("{ifname} has no IP address"),
            ),
            Err(e) => check("address", CheckStatus::Fail, error_chain(&e)),
        };
        push(&mut p, c);
    }
    let c = if cfg.checks.associated == Require::Never {
        skipped("associated")
    } else if !required {
        check("associated", CheckStatus::Skipped, why)
    } else {
        // A manager may still be connecting at boot; with none (or after [connect], which
        // waited already) nothing would change by waiting.
        let wait = cfg.connect.is_none() && net.manager != Manager::None;
        let timeout = Duration::from_secs(if wait {
            cfg.checks.association_timeout_s
        } else {
            0
        });
        associated(cfg, timeout, &why, &mut p.link)
    };
    push(&mut p, c);
    p.network = Some(net);
    p
}

/// One line about the network manager, for the log.
fn network_line(net: &Network) -> String {
    let list = if net.provisioned.is_empty() {
        "no network provisioned".to_owned()
    } else {
        format!("provisioned: {}", net.provisioned.join(", "))
    };
    format!(
        "network manager: {}, {}; {list}",
        net.manager.name(),
        net.evidence
    )
}

fn module(cfg: &Config, host: &Host) -> Check {
    if !cfg.checks.module {
        skipped("module")
    } else if host.module_loaded() {
        check("module", CheckStatus::Pass, "bes2600 loaded")
    } else {
        check(
            "module",
            CheckStatus::Fail,
            format!(
                "bes2600 is neither in {} nor in {}",
                host.path("proc/modules").display(),
                host.path("sys/module").display()
            ),
        )
    }
}

fn firmware(cfg: &Config, host: &Host) -> (Check, Option<String>) {
    if !cfg.checks.firmware {
        return (skipped("firmware"), None);
    }
    match host.firmware_version() {
        Ok(v) => (check("firmware", CheckStatus::Pass, v.clone()), Some(v)),
        Err(e) => (check("firmware", CheckStatus::Fail, error_chain(&e)), None),
    }
}

fn counters_check(cfg: &Config, host: &Host, l: &dyn Listener) -> (Check, Option<Counters>) {
    if !cfg.checks.counters {
        return (skipped("counters"), None);
    }
    match host.counters() {
        Ok(c) => {
            let missing = c.missing_required();
            let mut detail = format!("{} counters", c.0.len());
            if !missing.is_empty() {
                detail += &format!(" (missing: {})", missing.join(", "));
                l.warning(&format!("driver counters missing: {}", missing.join(", ")));
            }
            (check("counters", CheckStatus::Pass, detail), Some(c))
        }
        Err(e) => (check("counters", CheckStatus::Fail, error_chain(&e)), None),
    }
}

/// The interface exists; with `need_up`, its operstate is also `up`.
fn interface(cfg: &Config, host: &Host, need_up: bool) -> Check {
    let ifname = cfg.interface.name.as_str();
    if !cfg.checks.interface {
        return skipped("interface");
    }
    match host.operstate(ifname) {
        Ok(s) if s == "up" => check("interface", CheckStatus::Pass, format!("{ifname} up")),
        Ok(s) if !need_up => check(
            "interface",
            CheckStatus::Pass,
            format!("{ifname} present (operstate {s}; up is not required without a network)"),
        ),
        Ok(s) => check(
            "interface",
            CheckStatus::Fail,
            format!("{ifname} operstate is {s}"),
        ),
        Err(_) if !need_up && host.interface_exists(ifname) => {
            check("interface", CheckStatus::Pass, format!("{ifname} present"))
        }
        Err(e) => check("interface", CheckStatus::Fail, error_chain(&e)),
    }
}

/// How long to wait before triggering another scan.
const SCAN_RETRY: Duration = Duration::from_secs(1);

/// Looks for at least one BSS: the cached results first (no radio time, and no clash with a
/// manager's own scan), then a triggered scan, retried while the radio is busy.
fn scan(cfg: &Config, host: &Host) -> Check {
    if !cfg.checks.scan {
        return skipped("scan");
    }
    let ifname = cfg.interface.name.as_str();
    let iw = cfg.tools.iw.as_path();
    let found = |bss: &[String], how: &str| {
        let shown: Vec<&str> = bss.iter().take(3).map(String::as_str).collect();
        let more = if bss.len() > 3 { ", ..." } else { "" };
        let detail = format!("{} BSS {how} ({}{more})", bss.len(), shown.join(", "));
        check("scan", CheckStatus::Pass, detail)
    };
    if let Ok(out) = run_tool(iw, &["dev", ifname, "scan", "dump"]) {
        let bss = parse_scan(&out);
        if !bss.is_empty() {
            return found(&bss, "in the cached scan results");
        }
    }
    // A scan needs the interface up; with no manager nothing else brings it up.
    let brought_up = host.admin_up(ifname).is_ok_and(|up| !up)
        && run_tool(&cfg.tools.ip, &["link", "set", ifname, "up"]).is_ok();
    let deadline = Instant::now() + Duration::from_secs(cfg.checks.scan_timeout_s);
    let result = loop {
        let last = match run_tool(iw, &["dev", ifname, "scan"]) {
            Ok(out) => {
                let bss = parse_scan(&out);
                if !bss.is_empty() {
                    break found(&bss, "seen by a scan");
                }
                format!("a scan on {ifname} saw no BSS")
            }
            // EBUSY: a manager's scan or a connection attempt holds the radio; try again.
            Err(e) if e.to_string().contains("(-16)") => error_chain(&e),
            Err(e) => break check("scan", CheckStatus::Fail, error_chain(&e)),
        };
        if Instant::now() + SCAN_RETRY > deadline {
            let detail = format!("{last} (for {} s)", cfg.checks.scan_timeout_s);
            break check("scan", CheckStatus::Fail, detail);
        }
        std::thread::sleep(SCAN_RETRY);
    };
    if brought_up {
        // Leave the interface as it was found.
        let _ = run_tool(&cfg.tools.ip, &["link", "set", ifname, "down"]);
    }
    result
}

/// Polls `iw dev IF link` until connected or `timeout` has passed.
fn associated(cfg: &Config, timeout: Duration, why: &str, out: &mut Option<Link>) -> Check {
    let ifname = cfg.interface.name.as_str();
    let deadline = Instant::now() + timeout;
    loop {
        let last = match iw_link(&cfg.tools.iw, ifname) {
            Ok(link) if link.connected => {
                let detail = format!(
                    "{} ({})",
                    link.ssid.as_deref().unwrap_or("?"),
                    link.bssid.as_deref().unwrap_or("?")
                );
                *out = Some(link);
                return check("associated", CheckStatus::Pass, detail);
            }
            Ok(_) => format!("{ifname} is not connected"),
            Err(e) => error_chain(&e),
        };
        if Instant::now() >= deadline {
            let waited = if timeout.is_zero() {
                String::new()
            } else {
                format!(" after {} s", timeout.as_secs())
            };
            return check(
                "associated",
                CheckStatus::Fail,
                format!("{last}{waited} (required: {why})"),
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Connects with `iw` or `wpa_cli`, waits for the association, then sets the address.
fn connect(cfg: &Config, method: ConnectMethod) -> Result<String, String> {
    let Some(conn) = &cfg.connect else {
        return Err("no [connect] section".into());
    };
    let ifname = cfg.interface.name.as_str();
    let ip = cfg.tools.ip.as_path();
    let e = |e: HostError| error_chain(&e);
    run_tool(ip, &["link", "set", ifname, "up"]).map_err(e)?;
    match method {
        ConnectMethod::Iw => {
            let ssid = conn.ssid.as_deref().unwrap_or_default();
            run_tool(&cfg.tools.iw, &["dev", ifname, "connect", ssid]).map_err(e)?;
        }
        ConnectMethod::WpaCli => {
            run_tool(&cfg.tools.wpa_cli, &["-i", ifname, "reconnect"]).map_err(e)?;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(conn.timeout_s);
    let link = loop {
        match iw_link(&cfg.tools.iw, ifname) {
            Ok(link) if link.connected => break link,
            _ if Instant::now() >= deadline => {
                return Err(format!(
                    "{ifname} not associated after {} s",
                    conn.timeout_s
                ))
            }
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    };
    if let Some(addr) = &conn.address {
        run_tool(ip, &["addr", "replace", addr, "dev", ifname]).map_err(e)?;
    }
    Ok(format!(
        "connected to {} ({})",
        link.ssid.as_deref().unwrap_or("?"),
        link.bssid.as_deref().unwrap_or("?")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(provisioned: &[&str]) -> Network {
        Network {
            manager: Manager::NetworkManager,
            backend: None,
            evidence: "running (pid 1)".into(),
            provisioned: provisioned.iter().map(|s| s.to_string()).collect(),
            sources: Vec::new(),
        }
    }

    #[test]
    fn association_is_required_only_with_a_network_a_connect_or_a_peer() {
        let peer: std::net::SocketAddr = "192.0.2.1:5201".parse().unwrap();
        let mut cfg = Config::default();
        assert!(!association_rule(&cfg, PeerTarget::None, &net(&[])).0);
        let (req, why) = association_rule(&cfg, PeerTarget::None, &net(&["home"]));
        assert!(req, "{why}");
        assert!(association_rule(&cfg, PeerTarget::Iperf3(peer), &net(&[])).0);
        assert!(association_rule(&cfg, PeerTarget::Sim(47600), &net(&[])).0);
        cfg.checks.associated = Require::Never;
        assert!(!association_rule(&cfg, PeerTarget::Iperf3(peer), &net(&["home"])).0);
        cfg.checks.associated = Require::Always;
        assert!(association_rule(&cfg, PeerTarget::None, &net(&[])).0);
        cfg.checks.associated = Require::Auto;
        cfg.connect = Some(crate::config::Connect {
            method: ConnectMethod::WpaCli,
            ssid: None,
            address: None,
            timeout_s: 1,
        });
        assert!(association_rule(&cfg, PeerTarget::None, &net(&[])).0);
    }

    #[test]
    fn network_line_names_manager_and_networks() {
        assert_eq!(
            network_line(&net(&["a", "b"])),
            "network manager: NetworkManager, running (pid 1); provisioned: a, b"
        );
        assert!(network_line(&net(&[])).ends_with("no network provisioned"));
    }
}
