//! Moving test data: paced senders and window-counting receivers for TCP and UDP, shared by
//! `run` and `serve`. Every loop is bounded by a deadline and wakes at least every 100 ms, so a
//! dead link ends a measurement on time instead of hanging it.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::stats::{Datagram, SeqTracker, WindowCounter};

/// How often blocked socket calls give the loop a chance to check its deadline.
const POLL: Duration = Duration::from_millis(100);
/// TCP write size when unpaced.
const TCP_CHUNK: usize = 64 * 1024;

/// Keeps a sender at or under a byte rate.
#[derive(Debug, Clone, Copy)]
pub struct Pacer {
    start: Instant,
    rate_bytes_per_s: u64,
}

impl Pacer {
    /// A pacer from `start` at `rate_bytes_per_s` (0: no limit).
    pub fn new(start: Instant, rate_bytes_per_s: u64) -> Self {
        Self {
            start,
            rate_bytes_per_s,
        }
    }

    /// How long to wait at `now` before sending more, having sent `sent` bytes.
    pub fn delay(&self, now: Instant, sent: u64) -> Duration {
        if self.rate_bytes_per_s == 0 {
            return Duration::ZERO;
        }
        let rate = u128::from(self.rate_bytes_per_s);
        let elapsed_ns = now.saturating_duration_since(self.start).as_nanos();
        let allowed = elapsed_ns * rate / 1_000_000_000;
        let sent = u128::from(sent);
        if sent <= allowed {
            return Duration::ZERO;
        }
        let ns = (sent - allowed) * 1_000_000_000 / rate;
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX)).min(Duration::from_millis(50))
    }

    /// Write size that keeps pacing smooth: about 20 ms of data, 1 KiB to 64 KiB.
    pub fn chunk(&self) -> usize {
        if self.rate_bytes_per_s == 0 {
            return TCP_CHUNK;
        }
        usize::try_from(self.rate_bytes_per_s / 50)
            .unwrap_or(TCP_CHUNK)
            .clamp(1024, TCP_CHUNK)
    }
}

/// How a sender ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Bytes accepted by the socket.
    pub bytes: u64,
    /// UDP datagrams accepted by the socket.
    pub datagrams: u64,
    /// Send errors (UDP: refused or unreachable; counted, the sender carries on).
    pub errors: u64,
    /// The connection failed before the deadline (TCP).
    pub broken: bool,
}

/// Sends a byte stream on `stream` until `until` (or `stop`), paced at `rate_bytes_per_s`.
pub fn send_tcp(
    stream: &mut TcpStream,
    until: Instant,
    rate_bytes_per_s: u64,
    stop: &AtomicBool,
) -> Sent {
    let mut out = Sent::default();
    let start = Instant::now();
    let pacer = Pacer::new(start, rate_bytes_per_s);
    let buf = vec![0x5a_u8; pacer.chunk()];
    if stream.set_write_timeout(Some(POLL)).is_err() {
        out.broken = true;
        return out;
    }
    loop {
        let now = Instant::now();
        if now >= until || stop.load(Ordering::Relaxed) {
            break;
        }
        let wait = pacer.delay(now, out.bytes);
        if !wait.is_zero() {
            std::thread::sleep(wait);
            continue;
        }
        match stream.write(&buf) {
            Ok(0) => {
                out.broken = true;
                break;
            }
            Ok(n) => out.bytes += n as u64,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => {
                out.broken = true;
                break;
            }
        }
    }
    out
}

/// Sends numbered datagrams (contracts: `B26S` format) on a connected `socket` until `until`.
pub fn send_udp(
    socket: &UdpSocket,
    until: Instant,
    rate_bytes_per_s: u64,
    datagram_bytes: usize,
    stop: &AtomicBool,
) -> Sent {
    let mut out = Sent::default();
    let start = Instant::now();
    let pacer = Pacer::new(start, rate_bytes_per_s);
    let mut buf = vec![0u8; datagram_bytes.max(crate::stats::HEADER_LEN)];
    loop {
        let now = Instant::now();
        if now >= until || stop.load(Ordering::Relaxed) {
            break;
        }
        let wait = pacer.delay(now, out.bytes);
        if !wait.is_zero() {
            std::thread::sleep(wait);
            continue;
        }
        let time_ns = u64::try_from(now.duration_since(start).as_nanos()).unwrap_or(u64::MAX);
        let d = Datagram {
            seq: out.datagrams,
            time_ns,
        };
        d.emit(&mut buf);
        match socket.send(&buf) {
            Ok(n) => {
                out.bytes += n as u64;
                out.datagrams += 1;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1))
            }
            // ICMP errors from earlier datagrams, a down interface or a full queue: the
            // receiver's count tells the story, the sender just keeps the schedule. The
            // sequence number is spent so that the receiver sees the gap as loss.
            Err(_) => {
                out.errors += 1;
                out.bytes += buf.len() as u64;
                out.datagrams += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    out
}

/// How a receiver ended.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Per-window byte counts.
    pub windows: Vec<u64>,
    /// Total bytes inside the windows.
    pub bytes: u64,
    /// UDP sequence analysis.
    pub seq: Option<crate::stats::SeqReport>,
    /// The stream ended or failed before the last window closed (TCP).
    pub connection_lost: bool,
}

/// Calls `on_window` once for each window that has closed since the last call.
struct WindowTicker {
    next: usize,
}

impl WindowTicker {
    fn tick(
        &mut self,
        counter: &WindowCounter,
        now: Instant,
        on_window: &mut dyn FnMut(usize, u64),
    ) {
        let closed = match counter.index_at(now) {
            Some(i) => i,
            None => counter.windows_len(),
        };
        while self.next < closed {
            on_window(self.next, counter.window(self.next));
            self.next += 1;
        }
    }
}

/// Receives a byte stream into `counter` until its last window closes.
pub fn recv_tcp(
    stream: &mut TcpStream,
    mut counter: WindowCounter,
    on_window: &mut dyn FnMut(usize, u64),
) -> Received {
    let mut ticker = WindowTicker { next: 0 };
    let mut lost = stream.set_read_timeout(Some(POLL)).is_err();
    let mut buf = vec![0u8; 128 * 1024];
    let end = counter.end();
    while !lost {
        let now = Instant::now();
        ticker.tick(&counter, now, on_window);
        if now >= end {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => lost = true,
            Ok(n) => counter.add(Instant::now(), n as u64),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => lost = true,
        }
    }
    if lost {
        // Windows after the loss stay at zero; report them as they would have closed.
        wait_until(end);
    }
    ticker.tick(&counter, Instant::now().max(end), on_window);
    let windows = counter.into_windows();
    Received {
        bytes: windows.iter().sum(),
        windows,
        seq: None,
        connection_lost: lost,
    }
}

/// Receives numbered datagrams into `counter` until its last window closes.
pub fn recv_udp(
    socket: &UdpSocket,
    mut counter: WindowCounter,
    on_window: &mut dyn FnMut(usize, u64),
) -> std::io::Result<Received> {
    socket.set_read_timeout(Some(POLL))?;
    let mut ticker = WindowTicker { next: 0 };
    let mut tracker = SeqTracker::new();
    let mut buf = vec![0u8; 65536];
    let end = counter.end();
    loop {
        let now = Instant::now();
        ticker.tick(&counter, now, on_window);
        if now >= end {
            break;
        }
        match socket.recv(&mut buf) {
            Ok(n) => {
                let at = Instant::now();
                // A datagram after the last window belongs to the sender's tail: neither its
                // bytes nor its sequence number are part of the measurement.
                if counter.index_at(at).is_none() {
                    continue;
                }
                match buf.get(..n).and_then(Datagram::parse) {
                    Some(d) => {
                        tracker.record(d.seq);
                        counter.add(at, n as u64);
                    }
                    None => tracker.malformed(),
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // ICMP errors surfacing on a connected socket do not end the stream.
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => {}
            Err(e) => return Err(e),
        }
    }
    let windows = counter.into_windows();
    Ok(Received {
        bytes: windows.iter().sum(),
        windows,
        seq: Some(tracker.report()),
        connection_lost: false,
    })
}

/// Sleeps until `t`.
pub fn wait_until(t: Instant) {
    let left = t.saturating_duration_since(Instant::now());
    if !left.is_zero() {
        std::thread::sleep(left);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn pacer_holds_the_rate() {
        let t0 = Instant::now();
        let p = Pacer::new(t0, 1_000_000);
        assert_eq!(
            p.delay(t0 + Duration::from_secs(1), 1_000_000),
            Duration::ZERO
        );
        assert_eq!(
            p.delay(t0 + Duration::from_secs(1), 1_010_000),
            Duration::from_millis(10)
        );
        assert_eq!(p.delay(t0, 10_000_000), Duration::from_millis(50), "capped");
        assert_eq!(p.chunk(), 20_000);
        let unpaced = Pacer::new(t0, 0);
        assert_eq!(unpaced.delay(t0, u64::MAX), Duration::ZERO);
        assert_eq!(unpaced.chunk(), TCP_CHUNK);
        assert_eq!(Pacer::new(t0, 1).chunk(), 1024);
    }

    #[test]
    fn tcp_receiver_reports_early_close_as_lost_with_zero_windows() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut tx = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (mut rx, _) = l.accept().unwrap();
        tx.write_all(&[1u8; 1000]).unwrap();
        drop(tx);
        let mut seen = Vec::new();
        let r = recv_tcp(
            &mut rx,
            WindowCounter::new(Instant::now(), 2),
            &mut |i, b| seen.push((i, b)),
        );
        assert!(r.connection_lost);
        assert_eq!(r.windows, vec![1000, 0]);
        assert_eq!(seen, vec![(0, 1000), (1, 0)], "every window reported once");
    }

    #[test]
    fn udp_sender_and_receiver_agree_on_loopback() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        tx.connect(rx.local_addr().unwrap()).unwrap();
        let stop = AtomicBool::new(false);
        let start = Instant::now();
        let sender = std::thread::scope(|s| {
            let h = s.spawn(|| {
                send_udp(
                    &tx,
                    start + Duration::from_millis(1300),
                    200_000,
                    1000,
                    &stop,
                )
            });
            let r = recv_udp(&rx, WindowCounter::new(start, 1), &mut |_, _| {}).unwrap();
            (h.join().unwrap(), r)
        });
        let (sent, r) = sender;
        let seq = r.seq.unwrap();
        // Pacing never runs ahead of the rate, however the threads are scheduled.
        assert!(sent.datagrams > 0);
        assert!(
            sent.bytes <= 200_000 * 13 / 10 + 1000,
            "sent {}",
            sent.bytes
        );
        assert!(seq.received <= sent.datagrams);
        assert_eq!(seq.first_seq, Some(0));
        assert_eq!(seq.lost + seq.duplicates + seq.malformed, 0, "{seq:?}");
        assert_eq!(r.bytes, seq.received * 1000);
    }
}
