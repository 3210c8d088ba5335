//! The verdict: the report judged against the thresholds, with every cause named.

use serde::{Deserialize, Serialize};

use crate::config::Thresholds;
use crate::report::{mb_per_s, Check, CheckStatus, DriverReport, TestOutcome};

/// Pass or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every check held and every measurement met the thresholds.
    Pass,
    /// At least one cause.
    Fail,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// Stable machine-readable code: `check_<name>`, `peer_unreachable`, `wrong_interface`,
    /// `connection_lost`,
    /// `link_down`, `disconnected`, `zero_window`, `low_throughput`, `udp_loss`,
    /// `driver_recovery`, `not_measured`.
    pub code: String,
    /// The measurement concerned, if any.
    pub test: Option<String>,
    /// Explanation with the figures.
    pub detail: String,
}

/// The verdict and its causes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Pass or fail.
    pub result: Outcome,
    /// Every reason for a failure, in the order found.
    pub causes: Vec<Cause>,
}

impl Verdict {
    /// The distinct cause codes, in order.
    pub fn cause_codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = Vec::new();
        for c in &self.causes {
            if !codes.contains(&c.code.as_str()) {
                codes.push(&c.code);
            }
        }
        codes
    }
}

/// Everything the verdict looks at.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// Prerequisite checks.
    pub checks: &'a [Check],
    /// Measurements.
    pub tests: &'a [TestOutcome],
    /// Driver counters, if read.
    pub driver: Option<&'a DriverReport>,
    /// Association at the end, if checked.
    pub associated_at_end: Option<bool>,
}

/// Judges the evidence against the thresholds.
pub fn judge(e: Evidence<'_>, th: &Thresholds) -> Verdict {
    let mut causes = Vec::new();
    let mut cause = |code: &str, test: Option<&str>, detail: String| {
        causes.push(Cause {
            code: code.into(),
            test: test.map(str::to_owned),
            detail,
        })
    };
    for c in e.checks.iter().filter(|c| c.status == CheckStatus::Fail) {
        cause(&format!("check_{}", c.name), None, c.detail.clone());
    }
    for t in e.tests {
        let name = Some(t.name.as_str());
        if t.wrong_interface {
            cause(
                "wrong_interface",
                name,
                format!("{}: {}", t.name, t.errors.join("; ")),
            );
            continue;
        }
        if t.peer_unreachable {
            cause(
                "peer_unreachable",
                name,
                format!("{}: {}", t.name, t.errors.join("; ")),
            );
            continue;
        }
        if t.connection_lost && !th.allow_disconnect {
            cause(
                "connection_lost",
                name,
                format!(
                    "{}: the data or control connection died before the end",
                    t.name
                ),
            );
        }
        if t.link_down && !th.allow_disconnect {
            cause(
                "link_down",
                name,
                format!("{}: the interface left operstate up", t.name),
            );
        }
        let Some(st) = &t.stats else {
            cause(
                "not_measured",
                name,
                format!("{}: no window was measured", t.name),
            );
            continue;
        };
        if st.zero_windows > th.max_zero_windows {
            cause(
                "zero_window",
                name,
                format!(
                    "{}: {} of {} windows at zero (first at {} s), {} allowed",
                    t.name,
                    st.zero_windows,
                    st.windows,
                    st.first_zero_window.unwrap_or(0),
                    th.max_zero_windows
                ),
            );
        }
        if st.median_bytes_per_s < th.min_median_bytes_per_s {
            cause(
                "low_throughput",
                name,
                format!(
                    "{}: median {} < {}",
                    t.name,
                    mb_per_s(st.median_bytes_per_s),
                    mb_per_s(th.min_median_bytes_per_s)
                ),
            );
        }
        if let (Some(max), Some(u)) = (th.max_udp_loss_percent, &t.udp) {
            if u.loss_percent() > max {
                cause(
                    "udp_loss",
                    name,
                    format!("{}: loss {:.2}% > {max}%", t.name, u.loss_percent()),
                );
            }
        }
    }
    if e.associated_at_end == Some(false) && !th.allow_disconnect {
        cause(
            "disconnected",
            None,
            "not associated any more at the end of the run".into(),
        );
    }
    if let Some(r) = e.driver.and_then(|d| d.recoveries) {
        if r > th.max_recoveries {
            cause(
                "driver_recovery",
                None,
                format!(
                    "{r} driver recovery events during the run, {} allowed",
                    th.max_recoveries
                ),
            );
        }
    }
    let result = if causes.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    Verdict { result, causes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{SeqReport, WindowStats};

    fn test(name: &str, windows: &[u64]) -> TestOutcome {
        TestOutcome {
            name: name.into(),
            windows: windows.to_vec(),
            stats: WindowStats::from_windows(windows),
            ..Default::default()
        }
    }

    fn verdict(tests: &[TestOutcome]) -> Verdict {
        judge(
            Evidence {
                checks: &[],
                tests,
                driver: None,
                associated_at_end: None,
            },
            &Thresholds::default(),
        )
    }

    #[test]
    fn good_run_passes() {
        let v = verdict(&[test("tcp-rx", &[3_000_000; 8])]);
        assert_eq!(v.result, Outcome::Pass);
        assert!(v.causes.is_empty());
    }

    #[test]
    fn median_at_the_threshold_passes_and_below_fails() {
        assert_eq!(verdict(&[test("t", &[2_000_000; 3])]).result, Outcome::Pass);
        let v = verdict(&[test("t", &[1_999_999; 3])]);
        assert_eq!(v.cause_codes(), vec!["low_throughput"]);
        assert!(v.causes[0].detail.contains("2.00 MB/s"), "{:?}", v.causes);
    }

    #[test]
    fn one_zero_window_fails_even_with_a_good_median() {
        let v = verdict(&[test("tcp-rx", &[4_000_000, 4_000_000, 0, 4_000_000])]);
        assert_eq!(v.result, Outcome::Fail);
        assert_eq!(v.cause_codes(), vec!["zero_window"]);
        assert!(v.causes[0].detail.contains("first at 2 s"));
        let lenient = judge(
            Evidence {
                checks: &[],
                tests: &[test("tcp-rx", &[4_000_000, 0, 4_000_000])],
                driver: None,
                associated_at_end: None,
            },
            &Thresholds {
                max_zero_windows: 1,
                ..Thresholds::default()
            },
        );
        assert_eq!(lenient.result, Outcome::Pass);
    }

    #[test]
    fn disconnects_and_lost_connections_are_named() {
        let mut t = test("tcp-tx", &[3_000_000, 0, 0]);
        t.connection_lost = true;
        t.link_down = true;
        let v = judge(
            Evidence {
                checks: &[],
                tests: &[t],
                driver: None,
                associated_at_end: Some(false),
            },
            &Thresholds::default(),
        );
        assert_eq!(
            v.cause_codes(),
            vec![
                "connection_lost",
                "link_down",
                "zero_window",
                "low_throughput",
                "disconnected"
            ]
        );
    }

    #[test]
    fn unreachable_peer_and_failed_checks_fail() {
        let t = TestOutcome {
            name: "tcp-rx".into(),
            peer_unreachable: true,
            errors: vec!["connection refused".into()],
            ..Default::default()
        };
        let checks = [
            Check {
                name: "module".into(),
                status: CheckStatus::Fail,
                detail: "bes2600 not loaded".into(),
            },
            Check {
                name: "firmware".into(),
                status: CheckStatus::Skipped,
                detail: "off".into(),
            },
        ];
        let v = judge(
            Evidence {
                checks: &checks,
                tests: &[t],
                driver: None,
                associated_at_end: None,
            },
            &Thresholds::default(),
        );
        assert_eq!(v.cause_codes(), vec!["check_module", "peer_unreachable"]);
    }

    #[test]
    fn udp_loss_is_judged_only_with_a_threshold() {
        let mut t = test("udp-rx", &[3_000_000; 3]);
        t.udp = Some(SeqReport {
            received: 90,
            unique: 90,
            lost: 10,
            ..Default::default()
        });
        assert_eq!(verdict(std::slice::from_ref(&t)).result, Outcome::Pass);
        let th = Thresholds {
            max_udp_loss_percent: Some(5.0),
            ..Thresholds::default()
        };
        let e = Evidence {
            checks: &[],
            tests: std::slice::from_ref(&t),
            driver: None,
            associated_at_end: None,
        };
        assert_eq!(judge(e, &th).cause_codes(), vec!["udp_loss"]);
    }

    #[test]
    fn driver_recoveries_fail() {
        let d = DriverReport {
            recoveries: Some(1),
            ..Default::default()
        };
        let v = judge(
            Evidence {
                checks: &[],
                tests: &[test("tcp-rx", &[3_000_000; 3])],
                driver: Some(&d),
                associated_at_end: Some(true),
            },
            &Thresholds::default(),
        );
        assert_eq!(v.cause_codes(), vec!["driver_recovery"]);
    }
}
