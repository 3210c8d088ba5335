//! The peer side (`serve`): answers measurements from `run`, sending or receiving as asked.

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::config::{Direction, Proto, MAX_DATAGRAM_BYTES, MAX_DURATION_S};
use crate::host::Host;
use crate::listener::Listener;
use crate::proto::{Control, PeerResult, Reply, Request, Start, VERSION};
use crate::stats::{WindowCounter, HEADER_LEN};
use crate::traffic::{recv_tcp, recv_udp, send_tcp, send_udp};

/// How long a client has to send its request and to connect its data socket.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest tail accepted.
const MAX_TAIL: Duration = Duration::from_secs(5);

/// Serves measurements on `listen`; stops after `sessions` sessions if given.
pub fn serve(listen: SocketAddr, sessions: Option<usize>, l: &dyn Listener) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    l.note(&format!("listening on {}", listener.local_addr()?));
    std::thread::scope(|scope| {
        let mut served = 0usize;
        for conn in listener.incoming() {
            if sessions.is_some_and(|n| served >= n) {
                break;
            }
            let stream = match conn {
                Ok(s) => s,
                Err(e) => {
                    l.warning(&format!("accept: {e}"));
                    continue;
                }
            };
            served += 1;
            let last = sessions.is_some_and(|n| served >= n);
            let handle = scope.spawn(move || {
                let who = stream
                    .peer_addr()
                    .map_or_else(|_| "?".into(), |a| a.to_string());
                match session(stream) {
                    Ok(what) => l.note(&format!("{who}: {what}")),
                    Err(e) => l.warning(&format!("{who}: {e}")),
                }
            });
            if last {
                let _ = handle.join();
                break;
            }
        }
    });
    Ok(())
}

fn validate(st: &Start) -> Result<(), String> {
    if st.version != VERSION {
        return Err(format!(
            "protocol version {} (this peer speaks {VERSION})",
            st.version
        ));
    }
    if st.duration_ms == 0
        || !st.duration_ms.is_multiple_of(1000)
        || st.duration_ms > MAX_DURATION_S * 1000
    {
        return Err(format!(
            "duration {} ms is not whole seconds up to {MAX_DURATION_S} s",
            st.duration_ms
        ));
    }
    if !(HEADER_LEN..=MAX_DATAGRAM_BYTES).contains(&st.datagram_bytes) {
        return Err(format!("datagram size {} out of range", st.datagram_bytes));
    }
    if st.proto == Proto::Udp && st.direction == Direction::Rx && st.udp_port.is_none() {
        return Err("UDP rx needs the device's udp_port".into());
    }
    if st.proto == Proto::Udp && st.direction == Direction::Rx && st.rate_bytes_per_s == 0 {
        return Err("UDP needs a rate".into());
    }
    Ok(())
}

/// One measurement; returns a one-line description for the log.
fn session(stream: TcpStream) -> Result<String, String> {
    let client_ip = stream.peer_addr().map_err(|e| e.to_string())?.ip();
    let local_ip = stream.local_addr().map_err(|e| e.to_string())?.ip();
    let mut ctrl = Control::new(stream).map_err(|e| e.to_string())?;
    let Request::Start(st) = ctrl
        .recv::<Request>(Instant::now() + SETUP_TIMEOUT)
        .map_err(|e| format!("no request: {e}"))?;
    if let Err(message) = validate(&st) {
        let _ = ctrl.send(&Reply::Error {
            message: message.clone(),
        });
        return Err(format!("refused: {message}"));
    }
    let windows = usize::try_from(st.duration_ms / 1000).map_err(|e| e.to_string())?;
    let send_for =
        Duration::from_millis(st.duration_ms) + Duration::from_millis(st.tail_ms).min(MAX_TAIL);
    let never = AtomicBool::new(false);
    let what = format!("{:?} {:?} for {} s", st.proto, st.direction, windows).to_lowercase();
    let result = match (st.proto, st.direction) {
        (Proto::Tcp, Direction::Rx) => {
            let mut s = ready_tcp(&mut ctrl, local_ip)?;
            let sent = send_tcp(
                &mut s,
                Instant::now() + send_for,
                st.rate_bytes_per_s,
                &never,
            );
            PeerResult {
                sent_bytes: sent.bytes,
                ..Default::default()
            }
        }
        (Proto::Udp, Direction::Rx) => {
            let sock = UdpSocket::bind((local_ip, 0)).map_err(|e| e.to_string())?;
            let port = st.udp_port.unwrap_or(0);
            sock.connect((client_ip, port)).map_err(|e| e.to_string())?;
            ready(&mut ctrl, &sock.local_addr().map_err(|e| e.to_string())?)?;
            let sent = send_udp(
                &sock,
                Instant::now() + send_for,
                st.rate_bytes_per_s,
                st.datagram_bytes,
                &never,
            );
            PeerResult {
                sent_bytes: sent.bytes,
                ..Default::default()
            }
        }
        (Proto::Tcp, Direction::Tx) => {
            let mut s = ready_tcp(&mut ctrl, local_ip)?;
            let counter = WindowCounter::new(Instant::now(), windows);
            let r = recv_tcp(&mut s, counter, &mut |index, bytes| {
                let _ = ctrl.send(&Reply::Window { index, bytes });
            });
            PeerResult {
                received_bytes: r.bytes,
                windows: r.windows,
                connection_lost: r.connection_lost,
                ..Default::default()
            }
        }
        (Proto::Udp, Direction::Tx) => {
            let sock = UdpSocket::bind((local_ip, 0)).map_err(|e| e.to_string())?;
            ready(&mut ctrl, &sock.local_addr().map_err(|e| e.to_string())?)?;
            let counter = WindowCounter::new(Instant::now(), windows);
            let host = Host::new("/");
            let drops_before = host.udp_rcvbuf_errors();
            let r = recv_udp(&sock, counter, &mut |index, bytes| {
                let _ = ctrl.send(&Reply::Window { index, bytes });
            })
            .map_err(|e| e.to_string())?;
            PeerResult {
                received_bytes: r.bytes,
                windows: r.windows,
                udp: r.seq,
                receiver_drops: drops_since(drops_before, host.udp_rcvbuf_errors()),
                ..Default::default()
            }
        }
    };
    let summary = format!(
        "{what}: sent {} B, received {} B",
        result.sent_bytes, result.received_bytes
    );
    ctrl.send(&Reply::Result(result))
        .map_err(|e| format!("{what}: result not delivered: {e}"))?;
    Ok(summary)
}

/// Drops counted between two readings of the host's UDP counters.
pub fn drops_since(before: Option<u64>, after: Option<u64>) -> Option<u64> {
    Some(after?.saturating_sub(before?))
}

fn ready(ctrl: &mut Control, addr: &SocketAddr) -> Result<(), String> {
    ctrl.send(&Reply::Ready {
        data_port: addr.port(),
    })
    .map_err(|e| e.to_string())
}

/// Opens a TCP data listener, announces it and waits for the device to connect.
fn ready_tcp(ctrl: &mut Control, local_ip: IpAddr) -> Result<TcpStream, String> {
    let listener = TcpListener::bind((local_ip, 0)).map_err(|e| e.to_string())?;
    ready(ctrl, &listener.local_addr().map_err(|e| e.to_string())?)?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + SETUP_TIMEOUT;
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok(s);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err("the device did not connect its data socket".into());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(format!("data accept: {e}")),
        }
    }
}
