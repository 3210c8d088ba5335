//! Measurements against a stock `iperf3 -s` peer, by driving the local `iperf3 -J` client.
//!
//! Why drive the client instead of speaking iperf3's protocol: the client is the reference
//! implementation of that protocol (cookie, parameter exchange, UDP connect handshake, result
//! exchange, authentication, version quirks) and is tested with every server version, while a
//! second implementation here would be tested against one. What we write is the argument list
//! and a parser of its JSON, both unit-tested against output recorded from a real iperf3.
//!
//! Windows are counted by the receiver, as with `serve`: for `rx` (`iperf3 -R`) the client's
//! own intervals; for `tx` the server's intervals, from the text the server returns with
//! `--get-server-output` (a stock server prints text, whose transfer column has three significant
//! digits, so those windows are exact to ±0.5 %; a server run with `-J` returns exact JSON). UDP loss and reordering are iperf3's
//! receiver figures.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::config::{Direction, Proto, TestKind};
use crate::listener::Listener;
use crate::measure::Params;
use crate::report::TestOutcome;
use crate::serve::drops_since;
use crate::stats::{SeqReport, WindowStats};

/// Time allowed past the measured seconds and the connect timeout for iperf3's result exchange.
// TIMEOUT: the exchange takes well under a second on a working link; a dead link is cut here.
const EXCHANGE_GRACE: Duration = Duration::from_secs(10);
/// Time between SIGTERM (iperf3 then prints what it measured) and SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(3);
/// Attempts while the server is busy with another client (it serves one test at a time).
const BUSY_ATTEMPTS: usize = 4;

/// The parts of `iperf3 -J` output that are used.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Output {
    /// Test set-up.
    pub start: Start,
    /// Per-second intervals, as counted by the client.
    pub intervals: Vec<Interval>,
    /// Totals.
    pub end: End,
    /// The server's own report (`--get-server-output`, stock server).
    pub server_output_text: Option<String>,
    /// The server's own report when the server runs with `-J`.
    pub server_output_json: Option<ServerJson>,
    /// Why the test failed, if it did.
    pub error: Option<String>,
}

/// The report of a server that runs with `-J`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServerJson {
    /// Per-second intervals, as counted by the server.
    pub intervals: Vec<Interval>,
}

/// `start` of iperf3's JSON.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Start {
    /// The data connections.
    pub connected: Vec<Connected>,
}

/// One data connection.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Connected {
    /// The client's address.
    pub local_host: String,
}

/// One interval.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Interval {
    /// The sum over the streams.
    pub sum: Sum,
}

/// A byte count over some seconds, with UDP figures when the counting side is the receiver.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Sum {
    /// Length of the interval.
    pub seconds: f64,
    /// Bytes in it.
    pub bytes: u64,
    /// UDP: datagrams expected.
    pub packets: Option<u64>,
    /// UDP: datagrams lost.
    pub lost_packets: Option<u64>,
}

/// `end` of iperf3's JSON.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct End {
    /// UDP: the receiver's totals.
    pub sum: Option<Sum>,
    /// TCP: what the sender sent.
    pub sum_sent: Option<Sum>,
    /// Per stream; UDP streams carry `out_of_order`.
    pub streams: Vec<EndStream>,
}

/// One stream's totals.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndStream {
    /// UDP figures.
    pub udp: Option<UdpEnd>,
}

/// A UDP stream's totals.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UdpEnd {
    /// Datagrams that arrived after a later one.
    pub out_of_order: u64,
}

/// The `iperf3` arguments of one measurement.
pub fn args(server: SocketAddr, local: IpAddr, kind: TestKind, p: &Params) -> Vec<String> {
    let connect_ms = p.connect_timeout.as_millis().to_string();
    let mut a: Vec<String> = [
        "-c",
        &server.ip().to_string(),
        "-p",
        &server.port().to_string(),
        "-B",
        &local.to_string(),
        "-J",
        "-i",
        "1",
        "-t",
        &p.windows.to_string(),
        "--connect-timeout",
        &connect_ms,
    ]
    .map(String::from)
    .to_vec();
    match kind.direction {
        Direction::Rx => a.push("-R".into()),
        Direction::Tx => a.push("--get-server-output".into()),
    }
    let rate = match kind.proto {
        Proto::Udp => {
            a.extend(["-u".into(), "-l".into(), p.datagram_bytes.to_string()]);
            p.udp_rate_bytes_per_s
        }
        Proto::Tcp => p.tcp_rate_bytes_per_s,
    };
    // iperf3 paces TCP too when given a rate; 0 would mean "unlimited" for TCP only.
    if rate > 0 {
        a.extend(["-b".into(), rate.saturating_mul(8).to_string()]);
    }
    a
}

/// Runs one measurement against the `iperf3 -s` at `server`.
pub fn measure(
    iperf3: &Path,
    server: SocketAddr,
    kind: TestKind,
    p: &Params,
    l: &dyn Listener,
) -> TestOutcome {
    let mut out = TestOutcome {
        name: kind.to_string(),
        measured_at: match kind.direction {
            Direction::Rx => "device".into(),
            Direction::Tx => "peer".into(),
        },
        ..Default::default()
    };
    let local = match source_address(server, p) {
        Ok(ip) => ip,
        Err((wrong, e)) => {
            out.wrong_interface = wrong;
            out.peer_unreachable = !wrong;
            out.errors.push(e);
            return out;
        }
    };
    let a = args(server, local, kind, p);
    let secs = u64::try_from(p.windows).unwrap_or(u64::MAX);
    let limit = p.connect_timeout + Duration::from_secs(secs) + EXCHANGE_GRACE;
    let drops_before = p.host.udp_rcvbuf_errors();
    l.test_started(&out.name, p.windows);
    let mut attempt = 1;
    let run = loop {
        let run = match run_client(iperf3, &a, limit) {
            Ok(r) => r,
            Err(e) => {
                out.errors
                    .push(format!("cannot run {}: {e}", iperf3.display()));
                return out;
            }
        };
        let busy = run.json.as_ref().is_some_and(|o| {
            o.intervals.is_empty() && o.error.as_deref().is_some_and(|e| e.contains("busy"))
        });
        if !busy || attempt >= BUSY_ATTEMPTS {
            break run;
        }
        attempt += 1;
        std::thread::sleep(Duration::from_secs(2));
    };
    if kind
        == (TestKind {
            proto: Proto::Udp,
            direction: Direction::Rx,
        })
    {
        out.receiver_drops = drops_since(drops_before, p.host.udp_rcvbuf_errors());
    }
    apply(&mut out, kind, p.windows, run);
    for (i, &w) in out.windows.iter().enumerate() {
        l.window(&out.name, i, w);
    }
    out
}

/// The address the kernel would send from to reach `server`, checked against the interface
/// under test before any traffic (as `serve` measurements do); `Err((wrong_interface, why))`.
fn source_address(server: SocketAddr, p: &Params) -> Result<IpAddr, (bool, String)> {
    let any: SocketAddr = match server {
        SocketAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    // Connecting a UDP socket sends nothing; it only asks the routing table.
    let local = UdpSocket::bind(any)
        .and_then(|s| s.connect(server).map(|()| s))
        .and_then(|s| s.local_addr())
        .map_err(|e| (false, format!("no route to peer {server}: {e}")))?
        .ip();
    if let Some((ifname, addrs)) = &p.interface_addrs {
        if !addrs.contains(&local) {
            return Err((
                true,
                format!(
                    "traffic to {server} leaves from {local}, which is not an address of {ifname}"
                ),
            ));
        }
    }
    Ok(local)
}

/// What one run of the client left.
#[derive(Debug, Default)]
pub struct ClientRun {
    /// Its JSON, if it printed valid JSON.
    pub json: Option<Output>,
    /// Its stderr (and stdout when that is not JSON), trimmed.
    pub other: String,
    /// It was stopped at the deadline.
    pub timed_out: bool,
}

/// Runs `iperf3 ARGS`, stopping it at `limit` (SIGTERM first, so it prints what it measured).
fn run_client(iperf3: &Path, args: &[String], limit: Duration) -> std::io::Result<ClientRun> {
    let mut child = Command::new(iperf3)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let deadline = Instant::now() + limit;
    let mut timed_out = false;
    while child.try_wait()?.is_none() {
        if Instant::now() >= deadline && !timed_out {
            timed_out = true;
            terminate(&mut child)?;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait()?;
    let text = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    let json = serde_json::from_str::<Output>(&text).ok();
    let other = if json.is_some() {
        err
    } else {
        format!("{text}\n{err}")
    };
    Ok(ClientRun {
        json,
        other: other.trim().to_owned(),
        timed_out,
    })
}

/// Reads a pipe to its end on a thread.
fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut s);
        }
        s
    })
}

/// SIGTERM through kill(1) (this crate has no `unsafe` for kill(2)), then SIGKILL.
fn terminate(child: &mut Child) -> std::io::Result<()> {
    let pid = child.id().to_string();
    let termed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .is_ok_and(|s| s.success());
    if termed {
        let until = Instant::now() + TERM_GRACE;
        while Instant::now() < until {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    child.kill()
}

/// Bytes per second of `bytes` over `seconds`, `None` for a sliver of an interval.
fn per_second(bytes: u64, seconds: f64) -> Option<u64> {
    // CAST: a finite, non-negative figure far below 2^53 bytes/s; `as` saturates regardless.
    (seconds >= 0.1).then(|| (bytes as f64 / seconds).round() as u64)
}

/// Bytes per second of each JSON interval.
fn interval_windows(intervals: &[Interval]) -> Vec<u64> {
    intervals
        .iter()
        .filter_map(|i| per_second(i.sum.bytes, i.sum.seconds))
        .collect()
}

/// Turns the client's run into the outcome's windows, flags and errors.
pub fn apply(out: &mut TestOutcome, kind: TestKind, windows: usize, run: ClientRun) {
    let Some(o) = run.json else {
        out.errors.push(if run.other.is_empty() {
            "iperf3 printed no JSON".into()
        } else {
            format!("iperf3 printed no JSON: {}", run.other)
        });
        return;
    };
    if o.intervals.is_empty() && !run.timed_out {
        // The test never started: no connection, a busy or refusing server.
        out.peer_unreachable = true;
        out.errors.push(format!(
            "iperf3: {}",
            o.error.as_deref().unwrap_or("no interval measured")
        ));
        return;
    }
    let mut w: Vec<u64> = match kind.direction {
        Direction::Rx => interval_windows(&o.intervals),
        Direction::Tx => match (&o.server_output_json, o.server_output_text.as_deref()) {
            (Some(j), _) => interval_windows(&j.intervals),
            (None, Some(text)) => server_windows(text),
            (None, None) => Vec::new(),
        },
    };
    if kind.direction == Direction::Tx && w.is_empty() {
        out.errors
            .push("the peer's per-second report did not arrive".into());
        out.connection_lost = true;
    }
    w.resize(windows, 0);
    out.windows = w;
    if let Some(e) = o.error {
        out.connection_lost = true;
        out.errors.push(format!("iperf3: {e}"));
    }
    if run.timed_out {
        out.connection_lost = true;
        out.errors
            .push("iperf3 did not finish in time and was stopped".into());
    }
    out.sent_bytes = o.end.sum_sent.as_ref().map(|s| s.bytes);
    if kind.proto == Proto::Udp {
        out.udp = o.end.sum.as_ref().and_then(|s| {
            let packets = s.packets?;
            let lost = s.lost_packets.unwrap_or(0).min(packets);
            Some(SeqReport {
                received: packets - lost,
                unique: packets - lost,
                lost,
                reordered: o
                    .end
                    .streams
                    .iter()
                    .filter_map(|s| s.udp.as_ref())
                    .map(|u| u.out_of_order)
                    .sum(),
                ..Default::default()
            })
        });
    }
    out.received_bytes = out.windows.iter().sum();
    out.stats = WindowStats::from_windows(&out.windows);
}

/// Bytes per second of each interval line of an iperf3 server's text report
/// (`[  5]   0.00-1.00   sec  2.86 MBytes  24.0 Mbits/sec ...`), up to the summary.
pub fn server_windows(text: &str) -> Vec<u64> {
    let mut w = Vec::new();
    for line in text.lines() {
        if line.starts_with("- - -") {
            break;
        }
        let Some(rest) = line.strip_prefix('[').and_then(|l| l.split_once(']')) else {
            continue;
        };
        if rest.0.trim() == "SUM" || rest.0.trim() == "ID" {
            continue;
        }
        let words: Vec<&str> = rest.1.split_whitespace().collect();
        let (Some(span), Some(&"sec"), Some(value), Some(unit)) =
            (words.first(), words.get(1), words.get(2), words.get(3))
        else {
            continue;
        };
        let Some((from, to)) = span.split_once('-') else {
            continue;
        };
        let (Ok(from), Ok(to), Ok(value)) =
            (from.parse::<f64>(), to.parse::<f64>(), value.parse::<f64>())
        else {
            continue;
        };
        let scale = match *unit {
            "Bytes" => 1.0,
            "KBytes" => 1024.0,
            "MBytes" => 1024.0 * 1024.0,
            "GBytes" => 1024.0 * 1024.0 * 1024.0,
            _ => continue,
        };
        // CAST: a non-negative byte count far below 2^53.
        if let Some(b) = per_second((value * scale).round() as u64, to - from) {
            w.push(b);
        }
    }
    w
}

#[cfg(test)]
mod tests;
