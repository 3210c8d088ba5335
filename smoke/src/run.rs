//! `run`: prerequisite checks, the measurements, the driver's counters, and the verdict.

use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::{Config, ConfigError, ConnectMethod, PeerTarget};
use crate::host::{interface_addrs, iw_link, run_tool, Counters, Host, Link, PerFrame};
use crate::listener::Listener;
use crate::measure::{measure, measure_sim, Params};
use crate::report::{Check, CheckStatus, DriverReport, Report, TestOutcome};
use crate::verdict::{judge, Evidence};

/// Why `run` could not produce a report at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A local resource could not be set up (e.g. the stream port is taken).
    #[error("{what}")]
    Local {
        /// What failed.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// How often the interface's operstate is sampled during measurements.
const LINK_POLL: Duration = Duration::from_millis(100);

/// Records when the interface was seen not `up`.
struct LinkMonitor {
    down_at: Mutex<Vec<Instant>>,
    stop: AtomicBool,
}

impl LinkMonitor {
    fn watch(&self, host: &Host, ifname: &str) {
        while !self.stop.load(Ordering::Relaxed) {
            let up = host.operstate(ifname).is_ok_and(|s| s == "up");
            if !up {
                if let Ok(mut v) = self.down_at.lock() {
                    v.push(Instant::now());
                }
            }
            std::thread::sleep(LINK_POLL);
        }
    }

    fn down_between(&self, from: Instant, to: Instant) -> bool {
        self.down_at
            .lock()
            .map(|v| v.iter().any(|&t| t >= from && t <= to))
            .unwrap_or(false)
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

/// What the prerequisite phase learned.
#[derive(Default)]
struct Prereq {
    checks: Vec<Check>,
    firmware: Option<String>,
    counters: Option<Counters>,
    addrs: Option<Vec<IpAddr>>,
    link: Option<Link>,
}

fn prerequisites(cfg: &Config, host: &Host, l: &dyn Listener) -> Prereq {
    let mut p = Prereq::default();
    let ifname = &cfg.interface.name;
    let push = |p: &mut Prereq, c: Check| {
        l.check(&c);
        p.checks.push(c);
    };
    let c = if !cfg.checks.module {
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
    };
    push(&mut p, c);
    let c = if !cfg.checks.firmware {
        skipped("firmware")
    } else {
        match host.firmware_version() {
            Ok(v) => {
                p.firmware = Some(v.clone());
                check("firmware", CheckStatus::Pass, v)
            }
            Err(e) => check("firmware", CheckStatus::Fail, error_chain(&e)),
        }
    };
    push(&mut p, c);
    let c = if !cfg.checks.counters {
        skipped("counters")
    } else {
        match host.counters() {
            Ok(c) => {
                let missing = c.missing_required();
                let mut detail = format!("{} counters", c.0.len());
                if !missing.is_empty() {
                    detail += &format!(" (missing: {})", missing.join(", "));
                    l.warning(&format!("driver counters missing: {}", missing.join(", ")));
                }
                p.counters = Some(c);
                check("counters", CheckStatus::Pass, detail)
            }
            Err(e) => check("counters", CheckStatus::Fail, error_chain(&e)),
        }
    };
    push(&mut p, c);
    if let Some(conn) = &cfg.connect {
        let c = match connect(cfg, conn.method) {
            Ok(detail) => check("connect", CheckStatus::Pass, detail),
            Err(e) => check("connect", CheckStatus::Fail, e),
        };
        push(&mut p, c);
    }
    let c = if !cfg.checks.interface {
        skipped("interface")
    } else {
        match host.operstate(ifname) {
            Ok(s) if s == "up" => check("interface", CheckStatus::Pass, format!("{ifname} up")),
            Ok(s) => check(
                "interface",
                CheckStatus::Fail,
                format!("{ifname} operstate is {s}"),
            ),
            Err(e) => check("interface", CheckStatus::Fail, error_chain(&e)),
        }
    };
    let interface_up = c.status == CheckStatus::Pass;
    push(&mut p, c);
    if interface_up {
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
    let c = if !cfg.checks.associated {
        skipped("associated")
    } else {
        match iw_link(&cfg.tools.iw, ifname) {
            Ok(link) if link.connected => {
                let detail = format!(
                    "{} ({})",
                    link.ssid.as_deref().unwrap_or("?"),
                    link.bssid.as_deref().unwrap_or("?")
                );
                p.link = Some(link);
                check("associated", CheckStatus::Pass, detail)
            }
            Ok(_) => check(
                "associated",
                CheckStatus::Fail,
                format!("{ifname} is not connected"),
            ),
            Err(e) => check("associated", CheckStatus::Fail, error_chain(&e)),
        }
    };
    push(&mut p, c);
    p
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s += &format!(": {c}");
        src = c.source();
    }
    s
}

/// Connects with `iw` or `wpa_cli`, waits for the association, then sets the address.
fn connect(cfg: &Config, method: ConnectMethod) -> Result<String, String> {
    let Some(conn) = &cfg.connect else {
        return Err("no [connect] section".into());
    };
    let ifname = cfg.interface.name.as_str();
    let ip = cfg.tools.ip.as_path();
    let e = |e: crate::host::HostError| error_chain(&e);
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

/// Runs the whole smoke test and returns its report (pass or fail alike).
pub fn run(cfg: &Config, sysroot: &Path, l: &dyn Listener) -> Result<Report, RunError> {
    cfg.validate()?;
    let target = cfg.peer.target()?;
    let kinds = cfg.test.kinds()?;
    let started_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let host = Host::new(sysroot);
    let pre = prerequisites(cfg, &host, l);
    let recoveries_before = host.recovery_events().ok();
    let windows = usize::try_from(cfg.test.duration_s).unwrap_or(usize::MAX);
    let params = Params {
        host: host.clone(),
        interface_addrs: pre.addrs.clone().map(|a| (cfg.interface.name.clone(), a)),
        windows,
        tcp_rate_bytes_per_s: cfg.test.tcp_rate_bytes_per_s,
        udp_rate_bytes_per_s: cfg.test.udp_rate_bytes_per_s,
        datagram_bytes: cfg.test.udp_datagram_bytes,
        connect_timeout: Duration::from_secs(cfg.peer.connect_timeout_s.max(1)),
    };
    let monitor = LinkMonitor {
        down_at: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
    };
    let mut tests: Vec<TestOutcome> = Vec::new();
    let failed = pre.checks.iter().any(|c| c.status == CheckStatus::Fail);
    if failed {
        l.warning("a prerequisite check failed: no measurement is run");
    } else {
        std::thread::scope(|scope| -> Result<(), RunError> {
            if cfg.checks.interface {
                scope.spawn(|| monitor.watch(&host, &cfg.interface.name));
            }
            let result = (|| {
                match target {
                    PeerTarget::Sim(port) => {
                        let t0 = Instant::now();
                        let mut t = measure_sim(&host, port, windows, l).map_err(|source| {
                            RunError::Local {
                                what: format!(
                                    "cannot receive the simulated stream on UDP port {port}"
                                ),
                                source,
                            }
                        })?;
                        t.link_down = monitor.down_between(t0, Instant::now());
                        l.test_finished(&t);
                        tests.push(t);
                    }
                    PeerTarget::Serve(addr) => {
                        for kind in &kinds {
                            let t0 = Instant::now();
                            let mut t = measure(addr, *kind, &params, l);
                            t.link_down = monitor.down_between(t0, Instant::now());
                            l.test_finished(&t);
                            tests.push(t);
                        }
                    }
                }
                Ok(())
            })();
            monitor.stop.store(true, Ordering::Relaxed);
            result
        })?;
    }
    let driver = pre.counters.as_ref().map(|before| {
        let after = host.counters().unwrap_or_else(|e| {
            l.warning(&format!("counters after the run: {}", error_chain(&e)));
            Counters::default()
        });
        let deltas = before.delta(&after);
        let recoveries = deltas.get("recoveries_total").or_else(|| {
            let after = host.recovery_events().ok()?;
            Some(after.saturating_sub(recoveries_before?))
        });
        DriverReport {
            missing_counters: before
                .missing_required()
                .into_iter()
                .map(String::from)
                .collect(),
            per_frame: Some(PerFrame::from_delta(&deltas)),
            counters_before: before.clone(),
            counters_after: after,
            deltas,
            recoveries,
        }
    });
    let associated_at_end = (cfg.checks.associated && !failed)
        .then(|| iw_link(&cfg.tools.iw, &cfg.interface.name).is_ok_and(|link| link.connected));
    let verdict = judge(
        Evidence {
            checks: &pre.checks,
            tests: &tests,
            driver: driver.as_ref(),
            associated_at_end,
        },
        &cfg.thresholds,
    );
    Ok(Report {
        tool: env!("CARGO_PKG_NAME").into(),
        version: env!("CARGO_PKG_VERSION").into(),
        started_unix_s,
        interface: cfg.interface.name.clone(),
        peer: cfg.peer.address.clone(),
        firmware_version: pre.firmware,
        link: pre.link,
        checks: pre.checks,
        tests,
        driver,
        associated_at_end,
        thresholds: cfg.thresholds.clone(),
        verdict,
    })
}
