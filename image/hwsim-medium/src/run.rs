//! The medium's event loop: frames from hwsim radios (netlink), records from the simulated
//! chip's air endpoint, and the injector's paced bursts, with counters written as JSON.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bes2600_sim::air;
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::genl::{self, Builder, NLMSG_ERROR};
use crate::hwsim::{self, Mac, Rx};
use crate::inject::Injector;
use crate::medium::{addr1, Medium};
use crate::sock::Nl;

/// What the loop counted (printed as one JSON object).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Frames hwsim radios transmitted to the medium.
    pub radio_tx: u64,
    /// Copies delivered to radios (one frame to two radios counts two).
    pub to_radios: u64,
    /// TX status reports sent back with the ACK flag.
    pub acked: u64,
    /// Records written to the chip's air endpoint.
    pub to_air: u64,
    /// Records read from the chip's air endpoint.
    pub from_air: u64,
    /// Chip frames acknowledged back to the chip (records with the ACKED flag).
    pub air_acked: u64,
    /// Frames taken by the uplink sink, and their 802.11 bytes.
    pub sunk: u64,
    /// 802.11 bytes of the sunk frames.
    pub sunk_bytes: u64,
    /// Stream frames injected, and their 802.11 bytes.
    pub injected: u64,
    /// 802.11 bytes injected.
    pub injected_bytes: u64,
    /// NLMSG_ERROR answers (e.g. a radio on another channel or down refuses a frame).
    pub kernel_errors: u64,
    /// Last error code the kernel answered.
    pub last_errno: i32,
    /// Receive-buffer overruns (ENOBUFS): hwsim frames lost before the medium saw them.
    pub overruns: u64,
    /// Malformed netlink messages or air records skipped.
    pub malformed: u64,
}

impl Stats {
    fn json(&self) -> String {
        format!(
            "{{\"radio_tx\":{},\"to_radios\":{},\"acked\":{},\"to_air\":{},\"from_air\":{},\"air_acked\":{},\"sunk\":{},\"sunk_bytes\":{},\"injected\":{},\"injected_bytes\":{},\"kernel_errors\":{},\"last_errno\":{},\"overruns\":{},\"malformed\":{}}}",
            self.radio_tx,
            self.to_radios,
            self.acked,
            self.to_air,
            self.from_air,
            self.air_acked,
            self.sunk,
            self.sunk_bytes,
            self.injected,
            self.injected_bytes,
            self.kernel_errors,
            self.last_errno,
            self.overruns,
            self.malformed
        )
    }
}

/// Loop settings common to the subcommands.
pub struct Opts {
    /// The chip's air endpoint, if bridged.
    pub air: Option<PathBuf>,
    /// Radios known before they transmit.
    pub radios: Vec<Mac>,
    /// UDP port whose data frames are sunk (uplink measurement).
    pub sink_udp_port: Option<u16>,
    /// Signal reported to receivers, dBm.
    pub signal_dbm: i32,
    /// Stop after this long (None: run until killed).
    pub secs: Option<f64>,
    /// Rewritten with the counters once a second and at the end.
    pub stats: Option<PathBuf>,
}

struct Loop {
    nl: Nl,
    medium: Medium,
    air: Option<File>,
    out: Builder,
    air_out: Vec<u8>,
    rec: [u8; air::MAX_RECORD_LEN],
    signal: i32,
    st: Stats,
}

impl Loop {
    fn deliver(&mut self, to: &Mac, frame: &[u8], freq: Option<u32>, signal: i32) {
        let seq = self.nl.next_seq();
        let fam = self.nl.family();
        let rx = Rx {
            rate_idx: 0,
            signal_dbm: signal,
            freq,
        };
        hwsim::put_rx_frame(&mut self.out, fam, seq, to, frame, rx);
        self.st.to_radios += 1;
    }

    fn queue_air(&mut self, freq: Option<u32>, flags: u8, frame: &[u8]) {
        // CAST: signal_dbm is a small negative number.
        let signal = self.signal.clamp(-128, 127) as i8;
        let freq = freq.and_then(|f| u16::try_from(f).ok()).unwrap_or(0);
        match air::emit_record(&mut self.rec, freq, signal, flags, frame) {
            Ok(n) => {
                self.air_out.extend_from_slice(&self.rec[..n]);
                self.st.to_air += 1;
            }
            Err(_) => self.st.malformed += 1,
        }
    }

    /// One datagram of netlink messages from the kernel.
    fn on_netlink(&mut self, buf: &[u8]) {
        let fam = self.nl.family();
        for m in genl::messages(buf) {
            let Ok(m) = m else {
                self.st.malformed += 1;
                break;
            };
            if m.ty == NLMSG_ERROR {
                match m.error_code() {
                    Ok(0) => {}
                    Ok(code) => {
                        self.st.kernel_errors += 1;
                        self.st.last_errno = code;
                    }
                    Err(_) => self.st.malformed += 1,
                }
                continue;
            }
            if m.ty != fam {
                continue;
            }
            let Ok((hwsim::CMD_FRAME, attrs)) = m.genl() else {
                continue;
            };
            let Ok(tx) = hwsim::parse_tx_frame(attrs) else {
                self.st.malformed += 1;
                continue;
            };
            self.st.radio_tx += 1;
            let no_ack = tx.flags & hwsim::TX_CTL_NO_ACK != 0;
            let plan = self.medium.on_radio_tx(&tx.transmitter, tx.frame, no_ack);
            for r in &plan.to_radios {
                self.deliver(r, tx.frame, tx.freq, self.signal);
            }
            if plan.to_air {
                let unicast = addr1(tx.frame).is_some_and(|a| a[0] & 1 == 0);
                let flags = if unicast && !no_ack {
                    air::FLAG_ACK_REQUESTED
                } else {
                    0
                };
                self.queue_air(tx.freq, flags, tx.frame);
            }
            if plan.sunk {
                self.st.sunk += 1;
                self.st.sunk_bytes += tx.frame.len() as u64;
            }
            if plan.ack {
                self.st.acked += 1;
            }
            let seq = self.nl.next_seq();
            hwsim::put_tx_info(&mut self.out, fam, seq, &tx, plan.ack, self.signal);
        }
    }

    /// Records the chip transmitted: every radio receives the frame; a unicast frame a radio
    /// owns is acknowledged back to the chip as the same record with the ACKED flag.
    fn on_air(&mut self, buf: &[u8]) {
        for r in air::Records::new(buf) {
            let Ok((repr, frame)) = r else {
                self.st.malformed += 1;
                break;
            };
            self.st.from_air += 1;
            let plan = self.medium.on_air_tx(frame);
            let freq = (repr.freq_mhz != 0).then_some(u32::from(repr.freq_mhz));
            for to in &plan.to_radios {
                self.deliver(to, frame, freq, i32::from(repr.signal_dbm));
            }
            if repr.flags & air::FLAG_ACK_REQUESTED != 0 && plan.ack {
                self.st.air_acked += 1;
                self.queue_air(freq, air::FLAG_ACKED, frame);
            }
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.nl.send(self.out.bytes())?;
        self.out.clear();
        if let Some(f) = self.air.as_mut() {
            if !self.air_out.is_empty() {
                f.write_all(&self.air_out).context("write air endpoint")?;
            }
        }
        self.air_out.clear();
        Ok(())
    }

    /// Handles what the kernel queued, answering (TX status, deliveries) after each
    /// datagram: a radio waits for its TX status with the frame held (and the sender's socket
    /// memory with it). At most `MAX_DRAIN` datagrams, so a flood cannot keep the loop from
    /// its clock.
    fn drain_netlink(&mut self) -> Result<()> {
        const MAX_DRAIN: usize = 256;
        for _ in 0..MAX_DRAIN {
            match self.nl.try_recv() {
                Ok(Some(buf)) => {
                    let buf = buf.to_vec();
                    self.on_netlink(&buf);
                    self.flush()?;
                }
                Ok(None) => return Ok(()),
                Err(Errno::ENOBUFS) => self.st.overruns += 1,
                Err(e) => return Err(e).context("netlink recv"),
            }
        }
        Ok(())
    }
}

/// Registers as the medium and runs until `opts.secs` elapse (or forever), injecting the
/// stream of `inj` if given. Returns the counters.
pub fn run(opts: &Opts, mut inj: Option<Injector>) -> Result<Stats> {
    let mut nl = Nl::open(hwsim::FAMILY)?;
    let mut b = Builder::new();
    let seq = nl.next_seq();
    hwsim::put_register(&mut b, nl.family(), seq);
    nl.request(&b, seq).context(
        "HWSIM_CMD_REGISTER (another medium registered, or several channels per radio?)",
    )?;
    let air = match &opts.air {
        Some(p) => Some(
            File::options()
                .read(true)
                .write(true)
                .open(p)
                .with_context(|| format!("open {}", p.display()))?,
        ),
        None => None,
    };
    let mut medium = Medium::new(air.is_some(), opts.sink_udp_port);
    for r in &opts.radios {
        medium.add_radio(*r);
    }
    let mut lp = Loop {
        nl,
        medium,
        air,
        out: Builder::new(),
        air_out: Vec::new(),
        rec: [0u8; air::MAX_RECORD_LEN],
        signal: opts.signal_dbm,
        st: Stats::default(),
    };
    let start = Instant::now();
    let end = opts.secs.map(|s| start + Duration::from_secs_f64(s));
    let mut next_stats = start;
    let mut air_buf = vec![0u8; 1 << 16];
    loop {
        let now = Instant::now();
        if end.is_some_and(|e| now >= e) {
            break;
        }
        if let Some(inj) = inj.as_mut() {
            let fam = lp.nl.family();
            let (n, bytes) = inj.due(now, start, &mut lp.out, fam, &mut lp.nl)?;
            lp.st.injected += n;
            lp.st.injected_bytes += bytes;
            lp.flush()?;
        }
        if now >= next_stats {
            if let Some(p) = &opts.stats {
                let _ = std::fs::write(p, lp.st.json() + "\n");
            }
            next_stats = now + Duration::from_secs(1);
        }
        // Sleep until something arrives, the injector's next burst or the next stats write.
        let mut wake = next_stats;
        if let Some(w) = inj.as_ref().map(|i| i.next_due()) {
            wake = wake.min(w);
        }
        if let Some(e) = end {
            wake = wake.min(e);
        }
        // Rounded up: a timeout of 0 before a burst that is due in under a millisecond
        // would spin.
        let ms = wake
            .saturating_duration_since(Instant::now())
            .as_micros()
            .div_ceil(1000);
        let timeout =
            PollTimeout::try_from(i32::try_from(ms).unwrap_or(1000)).unwrap_or(PollTimeout::ZERO);
        let (nl_ready, air_ready) = {
            let mut fds = vec![PollFd::new(lp.nl.as_fd(), PollFlags::POLLIN)];
            if let Some(f) = lp.air.as_ref() {
                fds.push(PollFd::new(f.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, timeout) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(e).context("poll"),
            }
            let ready = |i: usize| {
                fds.get(i)
                    .and_then(|f| f.revents())
                    .is_some_and(|r| !r.is_empty())
            };
            (ready(0), ready(1))
        };
        if nl_ready {
            lp.drain_netlink()?;
        }
        if air_ready {
            if let Some(f) = lp.air.as_mut() {
                let n = f.read(&mut air_buf).context("read air endpoint")?;
                let recs = air_buf.get(..n).unwrap_or(&[]).to_vec();
                lp.on_air(&recs);
            }
        }
        lp.flush()?;
    }
    lp.drain_netlink()?;
    lp.flush()?;
    if let Some(p) = &opts.stats {
        let _ = std::fs::write(p, lp.st.json() + "\n");
    }
    Ok(lp.st)
}

/// The counters as one JSON line.
pub fn stats_json(st: &Stats) -> String {
    st.json()
}
