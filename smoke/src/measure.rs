//! The device side of one measurement: against a `serve` peer, or the simulated chip's stream.

use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::config::{Direction, Proto, TestKind};
use crate::host::Host;
use crate::listener::Listener;
use crate::proto::{Control, ControlError, PeerResult, Reply, Request, Start, VERSION};
use crate::report::TestOutcome;
use crate::serve::drops_since;
use crate::stats::{WindowCounter, WindowStats};
use crate::traffic::{recv_tcp, recv_udp, send_tcp, send_udp, Received};

/// Extra sending time after the measured seconds, so the receiver's last window stays full.
pub const TAIL: Duration = Duration::from_millis(500);
/// How long after the sending ends the peer's result may take to arrive.
const RESULT_GRACE: Duration = Duration::from_secs(3);

/// Parameters shared by all measurements of a run.
#[derive(Debug, Clone)]
pub struct Params {
    /// The device (for its UDP drop counters).
    pub host: Host,
    /// The interface under test and its addresses: traffic must leave from one of them.
    pub interface_addrs: Option<(String, Vec<IpAddr>)>,
    /// Measured seconds (windows).
    pub windows: usize,
    /// TCP sender rate limit, bytes/s (0: none).
    pub tcp_rate_bytes_per_s: u64,
    /// UDP offered rate, bytes/s.
    pub udp_rate_bytes_per_s: u64,
    /// UDP payload size.
    pub datagram_bytes: usize,
    /// How long to wait for the peer to answer.
    pub connect_timeout: Duration,
}

/// Runs one measurement against a `serve` peer at `peer` (its control address).
pub fn measure(peer: SocketAddr, kind: TestKind, p: &Params, l: &dyn Listener) -> TestOutcome {
    let mut out = TestOutcome {
        name: kind.to_string(),
        measured_at: match kind.direction {
            Direction::Rx => "device".into(),
            Direction::Tx => "peer".into(),
        },
        windows: vec![0; p.windows],
        ..Default::default()
    };
    if let Err(e) = exchange(peer, kind, p, l, &mut out) {
        out.peer_unreachable = !out.wrong_interface;
        out.windows.clear();
        out.errors.push(e);
    }
    out.received_bytes = out.windows.iter().sum();
    out.stats = WindowStats::from_windows(&out.windows);
    out
}

/// Sets up the measurement with the peer; an `Err` means it never started.
fn exchange(
    peer: SocketAddr,
    kind: TestKind,
    p: &Params,
    l: &dyn Listener,
    out: &mut TestOutcome,
) -> Result<(), String> {
    let stream = TcpStream::connect_timeout(&peer, p.connect_timeout)
        .map_err(|e| format!("cannot reach peer {peer}: {e}"))?;
    let mut ctrl = Control::new(stream).map_err(|e| format!("control socket: {e}"))?;
    let local_ip = ctrl
        .stream()
        .local_addr()
        .map_err(|e| format!("control socket: {e}"))?
        .ip();
    if let Some((ifname, addrs)) = &p.interface_addrs {
        // Traffic that leaves by another interface (Ethernet, USB) would measure that link
        // and mark a slot good whose Wi-Fi is dead.
        if !addrs.contains(&local_ip) {
            out.wrong_interface = true;
            return Err(format!(
                "traffic to {peer} leaves from {local_ip}, which is not an address of {ifname}"
            ));
        }
    }
    let udp = match kind.proto {
        Proto::Udp => Some(
            UdpSocket::bind((local_ip, 0)).map_err(|e| format!("cannot bind UDP socket: {e}"))?,
        ),
        Proto::Tcp => None,
    };
    let udp_port = match (&udp, kind.direction) {
        (Some(s), Direction::Rx) => Some(s.local_addr().map_err(|e| e.to_string())?.port()),
        _ => None,
    };
    let windows = u64::try_from(p.windows).unwrap_or(u64::MAX);
    let rate_bytes_per_s = match kind.proto {
        Proto::Tcp => p.tcp_rate_bytes_per_s,
        Proto::Udp => p.udp_rate_bytes_per_s,
    };
    let start = Start {
        version: VERSION,
        proto: kind.proto,
        direction: kind.direction,
        duration_ms: windows.saturating_mul(1000),
        tail_ms: u64::try_from(TAIL.as_millis()).unwrap_or(500),
        rate_bytes_per_s,
        datagram_bytes: p.datagram_bytes,
        udp_port,
    };
    ctrl.send(&Request::Start(start))
        .map_err(|e| format!("peer {peer}: {e}"))?;
    let data_port = match ctrl.recv::<Reply>(Instant::now() + p.connect_timeout) {
        Ok(Reply::Ready { data_port }) => data_port,
        Ok(Reply::Error { message }) => return Err(format!("peer {peer} refused: {message}")),
        Ok(other) => return Err(format!("peer {peer}: unexpected {other:?}")),
        Err(e) => return Err(format!("peer {peer}: {e}")),
    };
    let data = SocketAddr::new(peer.ip(), data_port);
    let name = out.name.clone();
    let mut on_window = |i: usize, b: u64| l.window(&name, i, b);
    let drops_before = p.host.udp_rcvbuf_errors();
    l.test_started(&out.name, p.windows);
    let t0 = Instant::now();
    let measured = Duration::from_secs(windows);
    match (kind.proto, kind.direction, udp) {
        (Proto::Tcp, Direction::Rx, _) => {
            let mut s = TcpStream::connect_timeout(&data, p.connect_timeout)
                .map_err(|e| format!("cannot connect data socket {data}: {e}"))?;
            let r = recv_tcp(
                &mut s,
                WindowCounter::new(Instant::now(), p.windows),
                &mut on_window,
            );
            drop(s);
            apply_local(out, r);
            finish_rx(&mut ctrl, out, t0 + measured + TAIL + RESULT_GRACE);
        }
        (Proto::Udp, Direction::Rx, Some(sock)) => {
            let r = recv_udp(&sock, WindowCounter::new(t0, p.windows), &mut on_window)
                .map_err(|e| format!("UDP receive: {e}"))?;
            out.receiver_drops = drops_since(drops_before, p.host.udp_rcvbuf_errors());
            apply_local(out, r);
            finish_rx(&mut ctrl, out, t0 + measured + TAIL + RESULT_GRACE);
        }
        (Proto::Tcp, Direction::Tx, _) => {
            let mut s = TcpStream::connect_timeout(&data, p.connect_timeout)
                .map_err(|e| format!("cannot connect data socket {data}: {e}"))?;
            let stop = AtomicBool::new(false);
            let until = t0 + measured + TAIL;
            let sent = std::thread::scope(|sc| {
                let sender = sc.spawn(|| send_tcp(&mut s, until, rate_bytes_per_s, &stop));
                collect_peer(&mut ctrl, out, until + RESULT_GRACE, &mut on_window);
                stop.store(true, Ordering::Relaxed);
                sender.join()
            });
            out.sent_bytes = sent.ok().map(|s| s.bytes);
        }
        (Proto::Udp, Direction::Tx, Some(sock)) => {
            sock.connect(data)
                .map_err(|e| format!("cannot address UDP socket to {data}: {e}"))?;
            let stop = AtomicBool::new(false);
            let until = t0 + measured + TAIL;
            let sent = std::thread::scope(|sc| {
                let sender =
                    sc.spawn(|| send_udp(&sock, until, rate_bytes_per_s, p.datagram_bytes, &stop));
                collect_peer(&mut ctrl, out, until + RESULT_GRACE, &mut on_window);
                stop.store(true, Ordering::Relaxed);
                sender.join()
            });
            out.sent_bytes = sent.ok().map(|s| s.bytes);
        }
        (Proto::Udp, _, None) => return Err("internal: no UDP socket".into()),
    }
    Ok(())
}

fn apply_local(out: &mut TestOutcome, r: Received) {
    out.windows = r.windows;
    out.udp = r.seq;
    if r.connection_lost {
        out.connection_lost = true;
        out.errors
            .push("the data stream ended before the last window".into());
    }
}

/// After a receive measurement: the peer's result says how much it sent.
fn finish_rx(ctrl: &mut Control, out: &mut TestOutcome, deadline: Instant) {
    loop {
        match ctrl.recv::<Reply>(deadline) {
            Ok(Reply::Result(r)) => {
                out.sent_bytes = Some(r.sent_bytes);
                return;
            }
            Ok(Reply::Window { .. } | Reply::Ready { .. }) => {}
            Ok(Reply::Error { message }) => {
                out.errors.push(format!("peer: {message}"));
                return;
            }
            Err(e) => {
                // The peer stopped answering: the link is gone even if some data came through.
                out.connection_lost = true;
                out.errors.push(format!("no result from the peer: {e}"));
                return;
            }
        }
    }
}

/// During a transmit measurement: the peer counts and reports each window.
fn collect_peer(
    ctrl: &mut Control,
    out: &mut TestOutcome,
    deadline: Instant,
    on_window: &mut dyn FnMut(usize, u64),
) {
    loop {
        match ctrl.recv::<Reply>(deadline) {
            Ok(Reply::Window { index, bytes }) => {
                if let Some(w) = out.windows.get_mut(index) {
                    *w = bytes;
                    on_window(index, bytes);
                }
            }
            Ok(Reply::Result(r)) => {
                apply_peer(out, r);
                return;
            }
            Ok(Reply::Ready { .. }) => {}
            Ok(Reply::Error { message }) => {
                out.connection_lost = true;
                out.errors.push(format!("peer: {message}"));
                return;
            }
            Err(e) => {
                out.connection_lost = true;
                let what = match e {
                    ControlError::Timeout => "the peer's report did not arrive in time".into(),
                    e => e.to_string(),
                };
                out.errors.push(what);
                return;
            }
        }
    }
}

fn apply_peer(out: &mut TestOutcome, r: PeerResult) {
    if r.windows.len() == out.windows.len() {
        out.windows = r.windows;
    } else {
        out.errors.push(format!(
            "peer reported {} windows, expected {}",
            r.windows.len(),
            out.windows.len()
        ));
    }
    out.udp = r.udp;
    out.receiver_drops = r.receiver_drops;
    if r.connection_lost {
        out.connection_lost = true;
        out.errors
            .push("the peer saw the data stream end before the last window".into());
    }
}

/// Receives the simulated chip's downlink stream (contracts: UDP to port 47600) for
/// `windows` seconds. Binding the port is the only error: no traffic is a zero-window verdict.
pub fn measure_sim(
    host: &Host,
    port: u16,
    windows: usize,
    l: &dyn Listener,
) -> std::io::Result<TestOutcome> {
    let sock = UdpSocket::bind(("0.0.0.0", port))?;
    let name = "sim-rx".to_owned();
    // Read before announcing the start, so every drop from then on is counted.
    let before = host.udp_rcvbuf_errors();
    l.test_started(&name, windows);
    let r = recv_udp(
        &sock,
        WindowCounter::new(Instant::now(), windows),
        &mut |i, b| l.window(&name, i, b),
    )?;
    let mut out = TestOutcome {
        name,
        measured_at: "device".into(),
        receiver_drops: drops_since(before, host.udp_rcvbuf_errors()),
        ..Default::default()
    };
    apply_local(&mut out, r);
    out.received_bytes = out.windows.iter().sum();
    out.stats = WindowStats::from_windows(&out.windows);
    Ok(out)
}
