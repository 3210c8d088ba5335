//! The TOML configuration (`/etc/bes2600/smoke.toml`), its defaults and its validation.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Default control port of the `serve` peer.
pub const DEFAULT_CONTROL_PORT: u16 = 47610;
/// UDP port of the simulated chip's downlink stream (contracts: simulated network).
pub const SIM_STREAM_PORT: u16 = 47600;
/// Default port of an `iperf3 -s` peer.
pub const IPERF3_PORT: u16 = 5201;

/// Everything `run` needs to know; every section and key is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Which prerequisite checks apply on this machine.
    pub checks: Checks,
    /// The Wi-Fi interface under test.
    pub interface: Interface,
    /// Optional: connect the interface before testing.
    pub connect: Option<Connect>,
    /// The network manager and its provisioned networks.
    pub network: Network,
    /// Where the traffic goes.
    pub peer: Peer,
    /// What traffic is measured, and for how long.
    pub test: Test,
    /// Pass/fail thresholds.
    pub thresholds: Thresholds,
    /// Paths of external tools.
    pub tools: Tools,
    /// Plot appearance.
    pub plot: Plot,
}

/// Prerequisite checks; each one that cannot apply here may be turned off (the report says so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Checks {
    /// The `bes2600` module is loaded (`/proc/modules` or `/sys/module/bes2600`).
    pub module: bool,
    /// debugfs `fw_version` is readable.
    pub firmware: bool,
    /// debugfs `counters` is readable; its deltas are reported.
    pub counters: bool,
    /// The interface exists; when association is required, its operstate is `up` (also
    /// watched during the test).
    pub interface: bool,
    /// A scan (`iw dev <if> scan dump`, else a triggered `scan`) sees at least one BSS.
    pub scan: bool,
    /// Seconds a triggered scan may take, retries of a busy radio included.
    pub scan_timeout_s: u64,
    /// `iw dev <if> link` says it is connected: `true`, `false`, or `"auto"` (required when a
    /// network is provisioned, `[connect]` is set, or a peer is configured).
    pub associated: Require,
    /// Seconds to wait for the association when it is required (the manager may still be
    /// connecting at boot).
    pub association_timeout_s: u64,
}

impl Default for Checks {
    fn default() -> Self {
        Self {
            module: true,
            firmware: true,
            counters: true,
            interface: true,
            scan: true,
            scan_timeout_s: 15,
            associated: Require::Auto,
            association_timeout_s: 30,
        }
    }
}

/// Whether a check applies: always, never, or when the situation calls for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RequireValue", into = "RequireValue")]
pub enum Require {
    /// Always checked (`true`).
    Always,
    /// Never checked (`false`).
    Never,
    /// Decided at run time (`"auto"`).
    Auto,
}

/// The TOML spelling of [`Require`]: a boolean or `"auto"`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum RequireValue {
    Bool(bool),
    Text(String),
}

impl TryFrom<RequireValue> for Require {
    type Error = String;
    fn try_from(v: RequireValue) -> Result<Self, String> {
        match v {
            RequireValue::Bool(true) => Ok(Self::Always),
            RequireValue::Bool(false) => Ok(Self::Never),
            RequireValue::Text(t) if t == "auto" => Ok(Self::Auto),
            RequireValue::Text(t) => Err(format!("`{t}` is not true, false or \"auto\"")),
        }
    }
}

impl From<Require> for RequireValue {
    fn from(r: Require) -> Self {
        match r {
            Require::Always => Self::Bool(true),
            Require::Never => Self::Bool(false),
            Require::Auto => Self::Text("auto".into()),
        }
    }
}

/// The network manager whose provisioned networks decide `associated = "auto"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// `auto` (detect), `networkmanager`, `wpa_supplicant`, `iwd` or `none`.
    pub manager: crate::netmgr::ManagerSetting,
}

/// The interface under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Interface {
    /// Network interface name.
    pub name: String,
}

impl Default for Interface {
    fn default() -> Self {
        Self {
            name: "wlan0".into(),
        }
    }
}

/// How to connect when the interface is not associated yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connect {
    /// `iw` (open networks: `iw dev IF connect SSID`) or `wpa_cli` (`wpa_cli -i IF reconnect`).
    pub method: ConnectMethod,
    /// Network name (needed by `iw`).
    #[serde(default)]
    pub ssid: Option<String>,
    /// Address to put on the interface afterwards (`ip addr replace`), e.g. `192.0.2.2/24`.
    #[serde(default)]
    pub address: Option<String>,
    /// How long to wait for association.
    #[serde(default = "default_connect_timeout")]
    pub timeout_s: u64,
}

fn default_connect_timeout() -> u64 {
    20
}

/// Tool used to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectMethod {
    /// `iw dev IF connect SSID` (open networks only).
    Iw,
    /// `wpa_cli -i IF reconnect` (wpa_supplicant holds the credentials).
    WpaCli,
}

/// Where the traffic goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Peer {
    /// `HOST[:PORT]` of the peer, `sim` for the simulated chip's stream, or empty for no
    /// throughput measurement (the default).
    pub address: String,
    /// What the peer runs: `serve` (`bes2600-smoke serve`) or `iperf3` (a stock `iperf3 -s`).
    pub kind: PeerKind,
    /// UDP port of the simulated downlink stream (`sim` only).
    pub sim_port: u16,
    /// Seconds to wait for the peer to answer.
    pub connect_timeout_s: u64,
}

impl Default for Peer {
    fn default() -> Self {
        Self {
            address: String::new(),
            kind: PeerKind::Serve,
            sim_port: SIM_STREAM_PORT,
            connect_timeout_s: 5,
        }
    }
}

/// What program the peer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PeerKind {
    /// `bes2600-smoke serve` (control port 47610).
    #[default]
    Serve,
    /// A stock `iperf3 -s` (port 5201), driven through the local `iperf3 -J` client.
    Iperf3,
}

/// The peer, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerTarget {
    /// No peer: no throughput measurement.
    None,
    /// A `serve` peer at this control address.
    Serve(SocketAddr),
    /// An `iperf3 -s` peer at this address.
    Iperf3(SocketAddr),
    /// The simulated chip's downlink stream, received on this UDP port.
    Sim(u16),
}

impl PeerTarget {
    /// Whether traffic is measured at all.
    pub fn measures(self) -> bool {
        self != Self::None
    }
}

impl Peer {
    /// Resolves [`Peer::address`] and [`Peer::kind`].
    pub fn target(&self) -> Result<PeerTarget, ConfigError> {
        match self.address.trim() {
            "" | "none" => return Ok(PeerTarget::None),
            "sim" => return Ok(PeerTarget::Sim(self.sim_port)),
            _ => {}
        }
        let (port, wrap): (u16, fn(SocketAddr) -> PeerTarget) = match self.kind {
            PeerKind::Serve => (DEFAULT_CONTROL_PORT, PeerTarget::Serve),
            PeerKind::Iperf3 => (IPERF3_PORT, PeerTarget::Iperf3),
        };
        parse_addr(self.address.trim(), port)
            .map(wrap)
            .ok_or_else(|| ConfigError::Invalid {
                key: "peer.address",
                reason: format!(
                    "`{}` is neither `sim`, `none` nor an IP address with an optional port",
                    self.address
                ),
            })
    }
}

/// Parses `IP`, `IP:PORT` or `[IPv6]:PORT`, with `default_port` when none is given.
pub fn parse_addr(s: &str, default_port: u16) -> Option<SocketAddr> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Some(a);
    }
    s.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, default_port))
}

/// One measurement: a protocol in a direction, seen from the device under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TestKind {
    /// Transport protocol.
    pub proto: Proto,
    /// Direction seen from the device under test.
    pub direction: Direction,
}

/// Transport protocol of a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP: a bulk stream.
    Tcp,
    /// UDP: sequence-numbered datagrams at a set rate.
    Udp,
}

/// Direction of a measurement seen from the device under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The peer sends, the device receives (download).
    Rx,
    /// The device sends, the peer receives (upload).
    Tx,
}

impl fmt::Display for TestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        let d = match self.direction {
            Direction::Rx => "rx",
            Direction::Tx => "tx",
        };
        write!(f, "{p}-{d}")
    }
}

impl FromStr for TestKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (p, d) = s
            .split_once('-')
            .ok_or_else(|| format!("`{s}` is not one of tcp-rx, tcp-tx, udp-rx, udp-tx"))?;
        let proto = match p {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => return Err(format!("`{s}`: protocol must be tcp or udp")),
        };
        let direction = match d {
            "rx" => Direction::Rx,
            "tx" => Direction::Tx,
            _ => return Err(format!("`{s}`: direction must be rx or tx")),
        };
        Ok(Self { proto, direction })
    }
}

/// What traffic is measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Test {
    /// Seconds of traffic per measurement (one window per second).
    pub duration_s: u64,
    /// Measurements in order: `tcp-rx`, `tcp-tx`, `udp-rx`, `udp-tx`.
    pub tests: Vec<String>,
    /// Sender rate limit for TCP in bytes/s (0: as fast as the link goes).
    pub tcp_rate_bytes_per_s: u64,
    /// Offered UDP rate in bytes/s of UDP payload (the field campaign offered 4 MB/s).
    pub udp_rate_bytes_per_s: u64,
    /// UDP payload bytes per datagram (20 bytes of header included).
    pub udp_datagram_bytes: usize,
}

impl Default for Test {
    fn default() -> Self {
        Self {
            duration_s: 10,
            tests: ["tcp-rx", "tcp-tx", "udp-rx", "udp-tx"]
                .map(String::from)
                .to_vec(),
            tcp_rate_bytes_per_s: 0,
            udp_rate_bytes_per_s: 4_000_000,
            udp_datagram_bytes: 1400,
        }
    }
}

/// Largest duration accepted, so that a typo cannot hold up boot for days.
pub const MAX_DURATION_S: u64 = 3600;
/// Largest UDP payload over IPv4.
pub const MAX_DATAGRAM_BYTES: usize = 65507;

impl Test {
    /// The measurements, parsed.
    pub fn kinds(&self) -> Result<Vec<TestKind>, ConfigError> {
        self.tests
            .iter()
            .map(|t| {
                t.parse().map_err(|reason| ConfigError::Invalid {
                    key: "test.tests",
                    reason,
                })
            })
            .collect()
    }
}

/// Pass/fail thresholds (defaults from the field notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Minimum median 1-second window, bytes/s (field: 2 MB/s).
    pub min_median_bytes_per_s: u64,
    /// Windows at zero tolerated per measurement (field: none).
    pub max_zero_windows: usize,
    /// Whether a disconnect (operstate leaving `up`, a dropped connection) is tolerated.
    pub allow_disconnect: bool,
    /// Maximum UDP loss in percent; unset means loss is reported but not judged.
    pub max_udp_loss_percent: Option<f64>,
    /// Driver recovery events tolerated during the run.
    pub max_recoveries: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            min_median_bytes_per_s: 2_000_000,
            max_zero_windows: 0,
            allow_disconnect: false,
            max_udp_loss_percent: None,
            max_recoveries: 0,
        }
    }
}

/// Paths of external tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tools {
    /// `iw`.
    pub iw: PathBuf,
    /// `wpa_cli`.
    pub wpa_cli: PathBuf,
    /// `ip`.
    pub ip: PathBuf,
    /// `iperf3` (only run when `[peer] kind = "iperf3"`).
    pub iperf3: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        Self {
            iw: "iw".into(),
            wpa_cli: "wpa_cli".into(),
            ip: "ip".into(),
            iperf3: "iperf3".into(),
        }
    }
}

/// Plot appearance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plot {
    /// TrueType fonts tried in order for the plot's text; without one the plot has no text.
    /// Read only with the `png` feature: the default build's SVG text needs no font file.
    pub fonts: Vec<PathBuf>,
}

impl Default for Plot {
    fn default() -> Self {
        Self {
            fonts: [
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/ttf/DejaVuSans.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            ]
            .map(PathBuf::from)
            .to_vec(),
        }
    }
}

/// Why a configuration was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("invalid config value `{key}`: {reason}")]
    Invalid {
        /// The key, dotted.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Config {
    /// Parses and validates TOML text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Checks values that TOML types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: String| Err(ConfigError::Invalid { key, reason });
        let t = &self.test;
        if t.duration_s == 0 || t.duration_s > MAX_DURATION_S {
            return invalid(
                "test.duration_s",
                format!("{} is not within 1..={MAX_DURATION_S}", t.duration_s),
            );
        }
        if !(crate::stats::HEADER_LEN..=MAX_DATAGRAM_BYTES).contains(&t.udp_datagram_bytes) {
            return invalid(
                "test.udp_datagram_bytes",
                format!(
                    "{} is not within {}..={MAX_DATAGRAM_BYTES}",
                    t.udp_datagram_bytes,
                    crate::stats::HEADER_LEN
                ),
            );
        }
        let kinds = t.kinds()?;
        let udp = kinds.iter().any(|k| k.proto == Proto::Udp);
        if udp && t.udp_rate_bytes_per_s == 0 {
            return invalid(
                "test.udp_rate_bytes_per_s",
                "UDP needs a rate above 0 (an unpaced UDP sender measures only its own drops)"
                    .into(),
            );
        }
        if let Some(p) = self.thresholds.max_udp_loss_percent {
            if !(0.0..=100.0).contains(&p) {
                return invalid(
                    "thresholds.max_udp_loss_percent",
                    format!("{p} is not a percentage"),
                );
            }
        }
        if self.interface.name.is_empty() || self.interface.name.contains('/') {
            return invalid(
                "interface.name",
                format!("`{}` is not an interface name", self.interface.name),
            );
        }
        if let Some(c) = &self.connect {
            if c.method == ConnectMethod::Iw && c.ssid.is_none() {
                return invalid("connect.ssid", "method `iw` needs an ssid".into());
            }
        }
        let target = self.peer.target()?;
        if kinds.is_empty() && matches!(target, PeerTarget::Serve(_) | PeerTarget::Iperf3(_)) {
            return invalid("test.tests", "no measurement listed".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    #[test]
    fn empty_file_gives_field_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.thresholds.min_median_bytes_per_s, 2_000_000);
        assert_eq!(c.thresholds.max_zero_windows, 0);
        assert!(!c.thresholds.allow_disconnect);
        assert_eq!(c.test.kinds().unwrap().len(), 4);
    }

    #[test]
    fn shipped_default_file_parses() {
        let text = include_str!("../smoke.toml");
        let c = parse(text).unwrap();
        assert_eq!(
            c,
            Config::default(),
            "smoke.toml says its values are the defaults"
        );
    }

    #[test]
    fn qemu_sample_file_parses() {
        let c = parse(include_str!("../qemu-sim.toml")).unwrap();
        // Written before issue 17: `associated = true` still means "always required".
        assert_eq!(c.checks.associated, Require::Always);
        assert_eq!(c.peer.target().unwrap(), PeerTarget::Sim(SIM_STREAM_PORT));
        assert_eq!(c.connect.unwrap().ssid.as_deref(), Some("bes2600-sim"));
    }

    #[test]
    fn full_file_parses() {
        let c = parse(
            r#"
            [checks]
            module = false
            associated = false
            [interface]
            name = "sta0"
            [connect]
            method = "iw"
            ssid = "bes2600-sim"
            address = "192.0.2.2/24"
            [peer]
            address = "192.0.2.1:5000"
            [test]
            duration_s = 8
            tests = ["udp-tx"]
            [thresholds]
            min_median_bytes_per_s = 1000
            max_udp_loss_percent = 1.5
            "#,
        )
        .unwrap();
        assert!(!c.checks.module && c.checks.firmware);
        assert_eq!(c.checks.associated, Require::Never);
        assert_eq!(
            c.peer.target().unwrap(),
            PeerTarget::Serve("192.0.2.1:5000".parse().unwrap())
        );
        assert_eq!(
            c.test.kinds().unwrap(),
            vec![TestKind {
                proto: Proto::Udp,
                direction: Direction::Tx
            }]
        );
        assert_eq!(c.connect.unwrap().timeout_s, 20);
        assert_eq!(c.thresholds.max_udp_loss_percent, Some(1.5));
    }

    #[test]
    fn peer_sim_and_default_port() {
        let mut p = Peer::default();
        assert_eq!(p.target().unwrap(), PeerTarget::None);
        assert!(!PeerTarget::None.measures());
        p.address = "192.0.2.1".into();
        assert_eq!(
            p.target().unwrap(),
            PeerTarget::Serve(SocketAddr::new([192, 0, 2, 1].into(), DEFAULT_CONTROL_PORT))
        );
        p.kind = PeerKind::Iperf3;
        assert_eq!(
            p.target().unwrap(),
            PeerTarget::Iperf3(SocketAddr::new([192, 0, 2, 1].into(), IPERF3_PORT))
        );
        p.address = "[2001:db8::1]:5202".into();
        assert_eq!(
            p.target().unwrap(),
            PeerTarget::Iperf3("[2001:db8::1]:5202".parse().unwrap())
        );
        p.address = "sim".into();
        assert_eq!(p.target().unwrap(), PeerTarget::Sim(SIM_STREAM_PORT));
        p.address = "peer.example".into();
        assert!(p.target().is_err());
    }

    #[test]
    fn default_gates_only_on_what_the_device_proves_alone() {
        let c = Config::default();
        assert_eq!(c.peer.target().unwrap(), PeerTarget::None);
        assert!(c.checks.scan);
        assert_eq!(c.checks.associated, Require::Auto);
        assert_eq!(c.network.manager, crate::netmgr::ManagerSetting::Auto);
    }

    #[test]
    fn associated_is_a_bool_or_auto() {
        for (text, want) in [
            ("true", Require::Always),
            ("false", Require::Never),
            ("\"auto\"", Require::Auto),
        ] {
            let c = parse(&format!("[checks]\nassociated = {text}\n")).unwrap();
            assert_eq!(c.checks.associated, want);
            let back = toml::to_string(&c).unwrap();
            assert_eq!(parse(&back).unwrap(), c, "{back}");
        }
        let e = parse("[checks]\nassociated = \"sometimes\"\n").unwrap_err();
        assert!(e.to_string().contains("sometimes"), "{e}");
    }

    #[test]
    fn iperf3_peer_and_manager_parse() {
        let c = parse(
            "[network]\nmanager = \"wpa_supplicant\"\n[peer]\naddress = \"192.0.2.1\"\n\
             kind = \"iperf3\"\n[tools]\niperf3 = \"/usr/bin/iperf3\"\n",
        )
        .unwrap();
        assert_eq!(
            c.network.manager,
            crate::netmgr::ManagerSetting::WpaSupplicant
        );
        assert!(matches!(c.peer.target().unwrap(), PeerTarget::Iperf3(a) if a.port() == 5201));
        assert!(parse("[network]\nmanager = \"connman\"\n").is_err());
        assert!(parse("[peer]\nkind = \"netperf\"\n").is_err());
    }

    #[test]
    fn unknown_key_is_rejected_with_its_name() {
        let e = parse("[thresholds]\nmin_median = 5\n").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("test.toml") && msg.contains("min_median"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_type_is_rejected() {
        let e = parse("[test]\nduration_s = \"ten\"\n").unwrap_err();
        assert!(matches!(e, ConfigError::Parse { .. }), "{e}");
    }

    #[test]
    fn invalid_values_are_rejected_with_their_key() {
        for (text, key) in [
            ("[test]\nduration_s = 0", "test.duration_s"),
            ("[test]\nduration_s = 100000", "test.duration_s"),
            ("[test]\nudp_datagram_bytes = 10", "test.udp_datagram_bytes"),
            ("[test]\ntests = [\"tcp-up\"]", "test.tests"),
            (
                "[peer]\naddress = \"192.0.2.1\"\n[test]\ntests = []",
                "test.tests",
            ),
            (
                "[test]\nudp_rate_bytes_per_s = 0",
                "test.udp_rate_bytes_per_s",
            ),
            (
                "[thresholds]\nmax_udp_loss_percent = 120.0",
                "thresholds.max_udp_loss_percent",
            ),
            ("[interface]\nname = \"../x\"", "interface.name"),
            ("[connect]\nmethod = \"iw\"", "connect.ssid"),
            ("[peer]\naddress = \"nowhere\"", "peer.address"),
        ] {
            match parse(text) {
                Err(ConfigError::Invalid { key: k, .. }) => assert_eq!(k, key, "{text}"),
                other => panic!("{text}: expected invalid {key}, got {other:?}"),
            }
        }
    }

    #[test]
    fn test_kind_display_round_trips() {
        for s in ["tcp-rx", "tcp-tx", "udp-rx", "udp-tx"] {
            assert_eq!(s.parse::<TestKind>().unwrap().to_string(), s);
        }
        assert!("tcp".parse::<TestKind>().is_err());
        assert!("sctp-rx".parse::<TestKind>().is_err());
    }
}
