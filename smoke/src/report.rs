//! The report: what was checked and measured, its verdict, as JSON and as a human summary.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::config::Thresholds;
use crate::host::{Counters, Link, PerFrame};
use crate::netmgr::Network;
use crate::stats::{SeqReport, WindowStats};
use crate::verdict::{Outcome, Verdict};

/// Result of one prerequisite check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// `module`, `firmware`, `counters`, `interface`, `associated`, `connect`.
    pub name: String,
    /// What happened.
    pub status: CheckStatus,
    /// What was found, or why it failed or was skipped.
    pub detail: String,
}

/// Status of a prerequisite check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The check held.
    Pass,
    /// The check did not hold.
    Fail,
    /// The check was turned off in the configuration.
    Skipped,
}

/// One measurement's outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestOutcome {
    /// `tcp-rx`, `tcp-tx`, `udp-rx`, `udp-tx` or `sim-rx`.
    pub name: String,
    /// Who counted the windows: `device` or `peer`.
    pub measured_at: String,
    /// Bytes per 1-second window, as counted by the receiver (zeros where nothing arrived).
    pub windows: Vec<u64>,
    /// Statistics of the windows (absent if the measurement could not start).
    pub stats: Option<WindowStats>,
    /// Bytes inside the windows.
    pub received_bytes: u64,
    /// Bytes the sender handed to its socket, when known.
    pub sent_bytes: Option<u64>,
    /// UDP: loss, duplication and reordering at the receiver.
    pub udp: Option<SeqReport>,
    /// UDP: datagrams the receiving host itself dropped (full socket buffer, `RcvbufErrors`
    /// of its network namespace during the measurement): loss that is not the link's.
    pub receiver_drops: Option<u64>,
    /// The peer could not be reached to start the measurement.
    pub peer_unreachable: bool,
    /// The traffic would not go through the interface under test.
    pub wrong_interface: bool,
    /// The data or control connection died before the end.
    pub connection_lost: bool,
    /// The interface left `up` during the measurement.
    pub link_down: bool,
    /// Anything that went wrong, in words.
    pub errors: Vec<String>,
}

/// The driver's side of the run, from debugfs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DriverReport {
    /// Counters before the first measurement.
    pub counters_before: Counters,
    /// Counters after the last measurement.
    pub counters_after: Counters,
    /// Their differences.
    pub deltas: Counters,
    /// Costs per frame from the deltas.
    pub per_frame: Option<PerFrame>,
    /// Recovery events during the run (`recoveries_total` delta, else new `recovery` lines).
    pub recoveries: Option<u64>,
    /// Required counters the driver does not provide.
    pub missing_counters: Vec<String>,
}

/// The whole report (`--json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `bes2600-smoke`.
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// Start time, seconds since the Unix epoch.
    pub started_unix_s: u64,
    /// Interface under test.
    pub interface: String,
    /// Peer address (`ADDR (iperf3)` for an iperf3 peer), `sim`, or `none`.
    pub peer: String,
    /// The network manager and its provisioned networks (absent in reports from before 0.2).
    #[serde(default)]
    pub network: Option<Network>,
    /// Firmware version from debugfs.
    pub firmware_version: Option<String>,
    /// Association at the start.
    pub link: Option<Link>,
    /// Prerequisite checks in order.
    pub checks: Vec<Check>,
    /// Measurements in order.
    pub tests: Vec<TestOutcome>,
    /// Driver counters and per-frame costs.
    pub driver: Option<DriverReport>,
    /// Still associated at the end (when the association check applies).
    pub associated_at_end: Option<bool>,
    /// The thresholds the verdict applied.
    pub thresholds: Thresholds,
    /// Pass or fail, and why.
    pub verdict: Verdict,
}

/// Formats bytes/s as MB/s (10^6 bytes, as the thresholds are written).
pub fn mb_per_s(bytes_per_s: u64) -> String {
    format!("{:.2} MB/s", bytes_per_s as f64 / 1e6)
}

impl Report {
    /// The human summary, several lines, ending with the verdict.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "bes2600-smoke {}: interface {}, peer {}",
            self.version, self.interface, self.peer
        );
        if let Some(n) = &self.network {
            let nets = if n.provisioned.is_empty() {
                "no network provisioned".to_owned()
            } else {
                format!("provisioned: {}", n.provisioned.join(", "))
            };
            let _ = writeln!(s, "network: {} ({}), {nets}", n.manager.name(), n.evidence);
        }
        if let Some(fw) = &self.firmware_version {
            let _ = writeln!(s, "firmware: {fw}");
        }
        if let Some(l) = self.link.as_ref().filter(|l| l.connected) {
            let _ = writeln!(
                s,
                "link: {} ({}), {} MHz, {} dBm",
                l.ssid.as_deref().unwrap_or("?"),
                l.bssid.as_deref().unwrap_or("?"),
                l.freq_mhz.map_or("?".into(), |f| f.to_string()),
                l.signal_dbm.map_or("?".into(), |d| d.to_string()),
            );
        }
        for c in &self.checks {
            let status = match c.status {
                CheckStatus::Pass => "ok",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Skipped => "skipped",
            };
            let _ = writeln!(s, "check {:<10} {:<7} {}", c.name, status, c.detail);
        }
        for t in &self.tests {
            let _ = write!(s, "{:<7}", t.name);
            match &t.stats {
                Some(st) => {
                    let _ = write!(
                        s,
                        " median {}  worst {}  mean {}  zero windows {}/{}",
                        mb_per_s(st.median_bytes_per_s),
                        mb_per_s(st.worst_bytes_per_s),
                        mb_per_s(st.mean_bytes_per_s),
                        st.zero_windows,
                        st.windows
                    );
                }
                None => {
                    let _ = write!(s, " not measured");
                }
            }
            if let Some(u) = &t.udp {
                let _ = write!(
                    s,
                    "  loss {:.2}% ({} of {})  dup {}  reordered {}",
                    u.loss_percent(),
                    u.lost,
                    u.lost + u.unique,
                    u.duplicates,
                    u.reordered
                );
                if let Some(d) = t.receiver_drops.filter(|&d| d > 0) {
                    let _ = write!(s, "  ({d} dropped by the receiver's socket buffer)");
                }
            }
            if t.connection_lost {
                let _ = write!(s, "  CONNECTION LOST");
            }
            if t.link_down {
                let _ = write!(s, "  LINK DOWN");
            }
            let _ = writeln!(s);
        }
        if let Some(d) = &self.driver {
            if let Some(p) = &d.per_frame {
                let f = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.3}"));
                let _ = writeln!(
                    s,
                    "driver: {} frames, {} bus transactions/frame, {} wakeups/frame, {} recoveries",
                    p.frames,
                    f(p.bus_transactions_per_frame),
                    f(p.bh_wakeups_per_frame),
                    d.recoveries.map_or("n/a".into(), |r| r.to_string()),
                );
            }
        }
        let result = match self.verdict.result {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
        };
        let _ = write!(s, "verdict: {result}");
        if self.verdict.causes.is_empty() {
            let _ = writeln!(s);
        } else {
            let _ = writeln!(s, " ({})", self.verdict.cause_codes().join(", "));
            for c in &self.verdict.causes {
                let _ = writeln!(s, "  {}: {}", c.code, c.detail);
            }
        }
        s
    }
}
