// SPDX-License-Identifier: GPL-2.0-only
//! `bes2600-fw watch`: listen for the driver's recovery uevents (contracts: `KOBJ_CHANGE`
//! with `BES2600_EVENT=recovery`, `BES2600_CAUSE`, `BES2600_COUNT`) and apply rate-limited
//! bus resets.

use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;
use std::os::fd::{AsRawFd, OwnedFd};

use anyhow::{Context, Result};
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};

use super::config::Watch;

/// One kernel uevent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uevent {
    /// `ACTION` (e.g. `change`).
    pub action: String,
    /// `DEVPATH`.
    pub devpath: String,
    /// All `KEY=VALUE` pairs.
    pub env: BTreeMap<String, String>,
}

/// A recovery event of the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryEvent {
    /// `BES2600_CAUSE`.
    pub cause: String,
    /// `BES2600_COUNT` (0 when absent or malformed).
    pub count: u64,
}

/// Parses a kernel uevent datagram: `action@devpath\0KEY=VALUE\0…`. Returns `None` for
/// udev's re-broadcasts (`libudev` header) and malformed datagrams.
pub fn parse_uevent(buf: &[u8]) -> Option<Uevent> {
    let mut parts = buf.split(|&b| b == 0).filter(|p| !p.is_empty());
    let head = std::str::from_utf8(parts.next()?).ok()?;
    let (action, devpath) = head.split_once('@')?;
    let mut env = BTreeMap::new();
    for p in parts {
        let s = std::str::from_utf8(p).ok()?;
        if let Some((k, v)) = s.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    Some(Uevent {
        action: action.to_string(),
        devpath: devpath.to_string(),
        env,
    })
}

impl Uevent {
    /// The recovery event this uevent carries, if it is one.
    pub fn recovery(&self) -> Option<RecoveryEvent> {
        if self.action != "change"
            || self.env.get("BES2600_EVENT").map(String::as_str) != Some("recovery")
        {
            return None;
        }
        Some(RecoveryEvent {
            cause: self.env.get("BES2600_CAUSE")?.clone(),
            count: self
                .env
                .get("BES2600_COUNT")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
        })
    }
}

/// What the policy decided for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The cause does not count towards resets.
    Ignored,
    /// Counted; `n` events in the window so far.
    Counted(u32),
    /// Reset the bus now.
    Reset,
    /// The threshold was reached but a limit holds the reset back.
    Suppressed(&'static str),
}

/// Rate-limited recovery: `threshold` events within `window_secs` trigger one reset, no
/// two resets within `min_interval_secs`, at most `max_resets_per_hour`.
#[derive(Debug)]
pub struct Policy {
    cfg: Watch,
    events: VecDeque<u64>,
    resets: VecDeque<u64>,
}

impl Policy {
    /// A policy with no history.
    pub fn new(cfg: Watch) -> Self {
        Policy {
            cfg,
            events: VecDeque::new(),
            resets: VecDeque::new(),
        }
    }

    /// Feeds one event at `now_s` (monotonic seconds).
    pub fn on_event(&mut self, now_s: u64, ev: &RecoveryEvent) -> Decision {
        if !self.cfg.causes.contains(&ev.cause) {
            return Decision::Ignored;
        }
        self.events.push_back(now_s);
        while self
            .events
            .front()
            .is_some_and(|&t| now_s.saturating_sub(t) >= self.cfg.window_secs)
        {
            self.events.pop_front();
        }
        while self
            .resets
            .front()
            .is_some_and(|&t| now_s.saturating_sub(t) >= 3600)
        {
            self.resets.pop_front();
        }
        let n = u32::try_from(self.events.len()).unwrap_or(u32::MAX);
        if n < self.cfg.threshold {
            return Decision::Counted(n);
        }
        if self
            .resets
            .back()
            .is_some_and(|&t| now_s.saturating_sub(t) < self.cfg.min_interval_secs)
        {
            return Decision::Suppressed("min_interval_secs since the last reset has not passed");
        }
        if u32::try_from(self.resets.len()).unwrap_or(u32::MAX) >= self.cfg.max_resets_per_hour {
            return Decision::Suppressed("max_resets_per_hour reached");
        }
        self.resets.push_back(now_s);
        self.events.clear();
        Decision::Reset
    }
}

/// A source of uevents.
pub trait EventSource {
    /// The next uevent; `None` at the end of a finite source.
    ///
    /// # Errors
    ///
    /// I/O errors of the source.
    fn next_event(&mut self) -> Result<Option<Uevent>>;
}

/// The kernel's `NETLINK_KOBJECT_UEVENT` multicast group 1.
pub struct Netlink {
    fd: OwnedFd,
    buf: Vec<u8>,
}

impl Netlink {
    /// Opens and binds the socket.
    ///
    /// # Errors
    ///
    /// Socket creation or bind failed (e.g. no permission in a restricted sandbox).
    pub fn open() -> Result<Self> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkKObjectUEvent,
        )
        .context("cannot open the NETLINK_KOBJECT_UEVENT socket")?;
        socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 1))
            .context("cannot bind the uevent socket to group 1")?;
        // Room for the uevents of a module reload or a host rebind arriving while a reset
        // runs (the kernel caps it at net.core.rmem_max; a smaller buffer still works).
        if let Err(e) = socket::setsockopt(&fd, socket::sockopt::RcvBuf, &(1 << 20)) {
            tracing::debug!("cannot enlarge the uevent socket buffer: {e}");
        }
        Ok(Netlink {
            fd,
            buf: vec![0; 8192],
        })
    }
}

impl EventSource for Netlink {
    fn next_event(&mut self) -> Result<Option<Uevent>> {
        loop {
            let n = match socket::recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::empty()) {
                Ok(n) => n,
                // A burst (a module reload sends dozens of uevents) overran the socket buffer:
                // some events are lost, the socket is still good. Losing a recovery event only
                // delays a reset; ending the watcher would forget the rate-limit history.
                Err(nix::errno::Errno::ENOBUFS) => {
                    tracing::warn!("uevent socket overrun: some uevents were lost");
                    continue;
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(anyhow::Error::new(e).context("uevent recv failed")),
            };
            if let Some(ev) = self.buf.get(..n).and_then(parse_uevent) {
                return Ok(Some(ev));
            }
        }
    }
}

/// A file of uevents for tests and replays: blocks separated by blank lines, each block
/// `ACTION@DEVPATH` then `KEY=VALUE` lines.
pub struct FileSource<R: BufRead> {
    lines: std::io::Lines<R>,
}

impl<R: BufRead> FileSource<R> {
    /// Wraps a reader.
    pub fn new(r: R) -> Self {
        FileSource { lines: r.lines() }
    }
}

impl<R: BufRead> EventSource for FileSource<R> {
    fn next_event(&mut self) -> Result<Option<Uevent>> {
        let mut block = Vec::new();
        for line in self.lines.by_ref() {
            let line = line.context("cannot read the event file")?;
            if line.trim().is_empty() {
                if block.is_empty() {
                    continue;
                }
                break;
            }
            block.extend_from_slice(line.trim().as_bytes());
            block.push(0);
        }
        if block.is_empty() {
            return Ok(None);
        }
        parse_uevent(&block).map(Some).with_context(|| {
            format!(
                "malformed event: {}",
                String::from_utf8_lossy(&block).replace('\0', " ")
            )
        })
    }
}

/// Runs the watch loop until the source ends; `reset` performs a bus reset and `now_s`
/// gives monotonic seconds. Returns the number of resets performed.
///
/// # Errors
///
/// Source errors end the loop; reset errors are logged and the loop goes on.
pub fn run(
    src: &mut dyn EventSource,
    policy: &mut Policy,
    now_s: &mut dyn FnMut() -> u64,
    reset: &mut dyn FnMut() -> Result<()>,
) -> Result<u32> {
    let mut resets = 0;
    while let Some(ev) = src.next_event()? {
        let Some(rec) = ev.recovery() else { continue };
        let d = policy.on_event(now_s(), &rec);
        tracing::info!(cause = %rec.cause, count = rec.count, devpath = %ev.devpath, decision = ?d, "recovery event");
        if d == Decision::Reset {
            resets += 1;
            match reset() {
                Ok(()) => tracing::info!("bus reset done"),
                Err(e) => tracing::error!("bus reset failed: {e:#}"),
            }
        }
    }
    Ok(resets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(cause: &str) -> RecoveryEvent {
        RecoveryEvent {
            cause: cause.into(),
            count: 1,
        }
    }

    #[test]
    fn parses_kernel_datagrams_and_skips_udev() {
        let d = b"change@/devices/x/ieee80211/phy0\0ACTION=change\0BES2600_EVENT=recovery\0BES2600_CAUSE=fw_hang\0BES2600_COUNT=2\0";
        let u = parse_uevent(d).unwrap();
        assert_eq!(u.devpath, "/devices/x/ieee80211/phy0");
        assert_eq!(
            u.recovery(),
            Some(RecoveryEvent {
                cause: "fw_hang".into(),
                count: 2
            })
        );
        assert_eq!(parse_uevent(b"libudev\0\xfe\xed"), None);
        let add = parse_uevent(b"add@/devices/y\0BES2600_EVENT=recovery\0BES2600_CAUSE=fw_hang\0")
            .unwrap();
        assert_eq!(add.recovery(), None);
    }

    #[test]
    fn threshold_window_and_limits() {
        let mut p = Policy::new(Watch {
            min_interval_secs: 100,
            max_resets_per_hour: 2,
            ..Watch::default()
        });
        assert_eq!(p.on_event(0, &ev("decrypt_storm")), Decision::Ignored);
        assert_eq!(p.on_event(0, &ev("fw_hang")), Decision::Counted(1));
        assert_eq!(p.on_event(10, &ev("bus_error")), Decision::Counted(2));
        // The first event leaves the 60 s window.
        assert_eq!(p.on_event(65, &ev("fw_hang")), Decision::Counted(2));
        assert_eq!(p.on_event(66, &ev("fw_hang")), Decision::Reset);
        for t in [70, 71] {
            p.on_event(t, &ev("fw_hang"));
        }
        assert!(matches!(
            p.on_event(72, &ev("fw_hang")),
            Decision::Suppressed(_)
        ));
        for t in [200, 201] {
            p.on_event(t, &ev("cmd_timeout"));
        }
        assert_eq!(p.on_event(202, &ev("cmd_timeout")), Decision::Reset);
        for t in [400, 401] {
            p.on_event(t, &ev("cmd_timeout"));
        }
        assert_eq!(
            p.on_event(402, &ev("cmd_timeout")),
            Decision::Suppressed("max_resets_per_hour reached")
        );
        for t in [3700, 3701] {
            p.on_event(t, &ev("cmd_timeout"));
        }
        assert_eq!(p.on_event(3702, &ev("cmd_timeout")), Decision::Reset);
    }

    #[test]
    fn run_resets_once_for_a_burst() {
        let text =
            "change@/devices/p\nBES2600_EVENT=recovery\nBES2600_CAUSE=fw_hang\nBES2600_COUNT=1\n\n"
                .repeat(4);
        let mut src = FileSource::new(std::io::Cursor::new(text));
        let mut p = Policy::new(Watch::default());
        let mut n = 0;
        let got = run(&mut src, &mut p, &mut || 5, &mut || {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((got, n), (1, 1));
    }
}
