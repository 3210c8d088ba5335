//! The downlink stream injector: the simulated AP's UDP stream (contracts.md; built by
//! `bes2600_sim::net::stream_frame`, so frame size and payload are the simulated chip's),
//! delivered into one hwsim radio as if an access point (or an IBSS peer) had sent it.
//! `rx-probe` on that radio's interface measures it as it measures the chip's stream.
//!
//! Pacing follows the simulated chip's generator (driver/sim/src/fw.rs `tick_traffic`): bursts
//! of `burst` frames, one burst per `burst x frame bits / rate` of air time; rate 0 sends
//! bursts back to back (saturation).

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use bes2600_sim::net;

use crate::genl::Builder;
use crate::hwsim::{self, Mac, Rx};
use crate::sock::Nl;

/// How the injected frames are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// From an access point to an associated station: FromDS, addr2 = addr3 = BSSID.
    Ap,
    /// From an IBSS peer: no DS bits, addr2 = transmitter, addr3 = BSSID.
    Ibss,
}

/// Stream settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Receiving radio (hwsim address).
    pub radio: Mac,
    /// The station interface's address (addr1).
    pub sta: Mac,
    /// The BSSID.
    pub bssid: Mac,
    /// The transmitter in IBSS mode (defaults to the BSSID).
    pub transmitter: Option<Mac>,
    /// Addressing.
    pub mode: Mode,
    /// UDP payload bytes per datagram.
    pub payload: usize,
    /// Frames per burst.
    pub burst: u32,
    /// Air rate in kbit/s of 802.11 frame bits; 0 = saturate.
    pub rate_kbps: u64,
    /// Channel frequency given to the kernel (None: the radio's own).
    pub freq: Option<u32>,
    /// Signal in dBm.
    pub signal_dbm: i32,
}

/// Builds one stream frame addressed per `cfg` into `buf`; returns its length.
pub fn build_frame(cfg: &Config, buf: &mut [u8], stream_seq: u64, gen_ns: u64) -> Option<usize> {
    // CAST: the 802.11 sequence number is 12 bits; stream_frame shifts it into place.
    let seq80211 = (stream_seq & 0x0fff) as u16;
    let n = net::stream_frame(buf, &cfg.sta, cfg.payload, stream_seq, gen_ns, seq80211)?;
    // stream_frame addresses the simulated AP (FromDS, its BSSID); only the addresses change.
    let f = buf.get_mut(..n)?;
    match cfg.mode {
        Mode::Ap => {
            f.get_mut(10..16)?.copy_from_slice(&cfg.bssid);
            f.get_mut(16..22)?.copy_from_slice(&cfg.bssid);
        }
        Mode::Ibss => {
            *f.get_mut(1)? = 0;
            f.get_mut(10..16)?
                .copy_from_slice(&cfg.transmitter.unwrap_or(cfg.bssid));
            f.get_mut(16..22)?.copy_from_slice(&cfg.bssid);
        }
    }
    Some(n)
}

/// The paced generator.
#[derive(Debug)]
pub struct Injector {
    cfg: Config,
    buf: Vec<u8>,
    seq: u64,
    next: Instant,
    interval: Duration,
}

impl Injector {
    /// A generator starting now.
    pub fn new(cfg: Config) -> Result<Self> {
        let mut buf = vec![0u8; net::stream_frame_len(cfg.payload.max(net::STREAM_HDR_LEN))];
        let Some(len) = build_frame(&cfg, &mut buf, 0, 0) else {
            bail!("payload {} does not fit a frame", cfg.payload);
        };
        let bits = u64::from(cfg.burst.max(1)) * len as u64 * 8;
        // bits / (kbit/s) = ms / 1000: in ns, bits * 1e6 / kbps; rate 0 saturates.
        let interval = bits
            .saturating_mul(1_000_000)
            .checked_div(cfg.rate_kbps)
            .map_or(Duration::ZERO, Duration::from_nanos);
        Ok(Self {
            cfg,
            buf,
            seq: 0,
            next: Instant::now(),
            interval,
        })
    }

    /// When the next burst is due.
    pub fn next_due(&self) -> Instant {
        self.next
    }

    /// Appends the bursts due at `now` to `out` (one message per frame); returns frames and
    /// 802.11 bytes. A late loop catches up by at most four bursts, not by a flood.
    pub fn due(
        &mut self,
        now: Instant,
        start: Instant,
        out: &mut Builder,
        family: u16,
        nl: &mut Nl,
    ) -> Result<(u64, u64)> {
        let (mut n, mut bytes) = (0u64, 0u64);
        let mut bursts = 0;
        while self.next <= now && bursts < 4 {
            for _ in 0..self.cfg.burst.max(1) {
                // CAST: u128 nanoseconds of a run fit u64 for 584 years.
                let gen_ns = now.duration_since(start).as_nanos() as u64;
                let Some(len) = build_frame(&self.cfg, &mut self.buf, self.seq, gen_ns) else {
                    bail!("stream frame did not fit");
                };
                let rx = Rx {
                    rate_idx: 0,
                    signal_dbm: self.cfg.signal_dbm,
                    freq: self.cfg.freq,
                };
                let seq = nl.next_seq();
                hwsim::put_rx_frame(out, family, seq, &self.cfg.radio, &self.buf[..len], rx);
                self.seq += 1;
                n += 1;
                bytes += len as u64;
            }
            bursts += 1;
            self.next += self.interval;
        }
        if self.next + self.interval * 4 < now {
            // Too far behind (the guest was descheduled): restart the clock rather than burst.
            self.next = now;
        }
        Ok((n, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: Mode) -> Config {
        Config {
            radio: [0x42, 0, 0, 0, 1, 0],
            sta: [0x02, 0, 0, 0, 1, 0],
            bssid: [0x02, 0, 0, 0, 0, 0],
            transmitter: Some([0x02, 0, 0, 0, 0, 9]),
            mode,
            payload: 1400,
            burst: 4,
            rate_kbps: 20_000,
            freq: Some(2437),
            signal_dbm: -50,
        }
    }

    #[test]
    fn ap_frames_are_the_sim_stream_from_the_given_bssid() {
        let c = cfg(Mode::Ap);
        let mut buf = vec![0u8; 2048];
        let n = build_frame(&c, &mut buf, 5, 123).unwrap();
        assert_eq!(n, net::stream_frame_len(1400));
        let f = &buf[..n];
        assert_eq!(f[1] & 3, 2, "FromDS");
        assert_eq!(&f[4..10], &c.sta);
        assert_eq!(&f[10..16], &c.bssid);
        assert_eq!(&f[16..22], &c.bssid);
        // The payload parses as the simulated chip's stream datagram.
        let d = net::parse_stream(f).expect("stream datagram");
        assert_eq!((d.seq, d.payload_len), (5, 1400));
    }

    #[test]
    fn ibss_frames_have_no_ds_bits_and_the_peer_as_transmitter() {
        let c = cfg(Mode::Ibss);
        let mut buf = vec![0u8; 2048];
        let n = build_frame(&c, &mut buf, 1, 0).unwrap();
        let f = &buf[..n];
        assert_eq!(f[1], 0);
        assert_eq!(&f[10..16], &[0x02, 0, 0, 0, 0, 9]);
        assert_eq!(&f[16..22], &c.bssid);
    }

    #[test]
    fn pacing_matches_the_chip_generator() {
        // 4 frames x 1460 bytes x 8 bits at 20 Mbit/s: 2.336 ms per burst.
        let i = Injector::new(cfg(Mode::Ap)).unwrap();
        let bits = 4 * net::stream_frame_len(1400) as u64 * 8;
        assert_eq!(i.interval, Duration::from_nanos(bits * 1_000_000 / 20_000));
        let sat = Injector::new(Config {
            rate_kbps: 0,
            ..cfg(Mode::Ap)
        })
        .unwrap();
        assert_eq!(sat.interval, Duration::ZERO);
    }
}
