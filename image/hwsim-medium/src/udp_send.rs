//! The uplink sender: UDP datagrams in the stream's payload format (`B26S`, sequence,
//! time, filler; contracts.md) from the station to a peer, saturating or paced, for a fixed
//! time. When the socket's send buffer is full (the interface queue holds its datagrams) the
//! sender waits and retries, so saturation is clocked by the link, not by drops; sends never
//! block, so the run ends on time.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bes2600_sim::net;

/// What was sent.
#[derive(Debug, Default, Clone, Copy)]
pub struct Sent {
    /// Datagrams the kernel accepted.
    pub datagrams: u64,
    /// Payload bytes of those.
    pub bytes: u64,
    /// Sends the kernel refused (e.g. ENOBUFS, no route).
    pub errors: u64,
    /// Sends that found the socket buffer full and waited (retried).
    pub blocked: u64,
    /// Wall time of the run.
    pub seconds: f64,
}

/// Fills one stream payload of `buf.len()` bytes (at least the 20-byte stream header).
pub fn fill_payload(buf: &mut [u8], seq: u64, gen_ns: u64) {
    let filler = (seq & 0xff) as u8;
    for (i, b) in buf.iter_mut().enumerate() {
        *b = match i {
            0..4 => net::STREAM_MAGIC[i],
            4..12 => seq.to_be_bytes()[i - 4],
            12..20 => gen_ns.to_be_bytes()[i - 12],
            _ => filler,
        };
    }
}

/// Sends to `dst` for `secs`; `rate_kbps` 0 saturates, else paces the UDP payload bits.
pub fn run(dst: SocketAddr, payload: usize, secs: f64, rate_kbps: u64) -> Result<Sent> {
    let sock = UdpSocket::bind(("0.0.0.0", 0)).context("bind")?;
    sock.connect(dst).context("connect")?;
    // Non-blocking: the run ends on time whatever the link does; a full socket buffer (the
    // link is not completing frames as fast) waits a millisecond and is counted.
    sock.set_nonblocking(true).context("non-blocking")?;
    let mut buf = vec![0u8; payload.max(net::STREAM_HDR_LEN)];
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(secs);
    let gap = (buf.len() as u64 * 8 * 1_000_000)
        .checked_div(rate_kbps)
        .map_or(Duration::ZERO, Duration::from_nanos);
    let mut next = start;
    let mut s = Sent::default();
    let mut seq = 0u64;
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        if now < next {
            std::thread::sleep(next - now);
            continue;
        }
        // CAST: nanoseconds of a run fit u64.
        fill_payload(&mut buf, seq, now.duration_since(start).as_nanos() as u64);
        match sock.send(&buf) {
            Ok(n) => {
                s.datagrams += 1;
                s.bytes += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                s.blocked += 1;
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            Err(_) => s.errors += 1,
        }
        seq += 1;
        next += gap;
    }
    s.seconds = start.elapsed().as_secs_f64();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_the_stream_format() {
        let mut b = [0u8; 40];
        fill_payload(&mut b, 0x0102, 7);
        assert_eq!(&b[..4], net::STREAM_MAGIC);
        assert_eq!(u64::from_be_bytes(b[4..12].try_into().unwrap()), 0x0102);
        assert_eq!(u64::from_be_bytes(b[12..20].try_into().unwrap()), 7);
        assert!(b[20..].iter().all(|&x| x == 0x02));
    }
}
