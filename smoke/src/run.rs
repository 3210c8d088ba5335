//! `run`: prerequisite checks, the measurements, the driver's counters, and the verdict.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::checks::{error_chain, prerequisites};
use crate::config::{Config, ConfigError, PeerTarget};
use crate::host::{iw_link, run_tool, Counters, Host, PerFrame};
use crate::listener::Listener;
use crate::measure::{measure, measure_sim, Params};
use crate::report::{DriverReport, Report, TestOutcome};
use crate::verdict::{judge, Evidence};

/// Why `run` could not produce a report at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A tool the configuration needs is missing or broken (e.g. `iperf3`).
    #[error("{0}")]
    Tool(String),
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

/// Runs the whole smoke test and returns its report (pass or fail alike).
pub fn run(cfg: &Config, sysroot: &Path, l: &dyn Listener) -> Result<Report, RunError> {
    cfg.validate()?;
    let target = cfg.peer.target()?;
    let kinds = cfg.test.kinds()?;
    let started_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let host = Host::new(sysroot);
    if let PeerTarget::Iperf3(_) = target {
        // Without the client no measurement can run: an error (exit 2), not a verdict.
        run_tool(&cfg.tools.iperf3, &["--version"]).map_err(|e| {
            RunError::Tool(format!(
                "{}\nnote: [peer] kind = \"iperf3\" needs the iperf3 client on this device \
                 (package iperf3), or set [tools] iperf3",
                error_chain(&e)
            ))
        })?;
    }
    let pre = prerequisites(cfg, &host, target, l);
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
    let failed = pre.failed();
    if failed {
        if target.measures() {
            l.warning("a prerequisite check failed: no measurement is run");
        }
    } else if target.measures() {
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
                    PeerTarget::Serve(_) | PeerTarget::Iperf3(_) => {
                        for kind in &kinds {
                            let t0 = Instant::now();
                            let mut t = match target {
                                PeerTarget::Iperf3(addr) => crate::iperf::measure(
                                    &cfg.tools.iperf3,
                                    addr,
                                    *kind,
                                    &params,
                                    l,
                                ),
                                PeerTarget::Serve(addr) => measure(addr, *kind, &params, l),
                                PeerTarget::None | PeerTarget::Sim(_) => break,
                            };
                            t.link_down = monitor.down_between(t0, Instant::now());
                            l.test_finished(&t);
                            tests.push(t);
                        }
                    }
                    PeerTarget::None => {}
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
    let associated_at_end = (pre.association_required && !failed)
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
        peer: peer_name(cfg, target),
        network: pre.network,
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

/// The peer as the report names it.
fn peer_name(cfg: &Config, target: PeerTarget) -> String {
    match target {
        PeerTarget::None => "none".into(),
        PeerTarget::Sim(_) => "sim".into(),
        PeerTarget::Serve(_) => cfg.peer.address.clone(),
        PeerTarget::Iperf3(_) => format!("{} (iperf3)", cfg.peer.address),
    }
}
