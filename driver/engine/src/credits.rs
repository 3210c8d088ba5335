//! Firmware input-buffer credits (spec §4.3).

/// Credit accounting: the firmware has `total` input buffers (numInpChBufs from the startup
/// indication, spec §3.6); every message sent takes one, every confirm gives one back, a
/// multi-TX confirm gives back `count` (spec §4.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credits {
    total: u16,
    used: u16,
    /// Time the oldest unconfirmed credit started waiting, or the last confirm that left
    /// credits outstanding. Drives the firmware-hang watchdog.
    waiting_since_ns: u64,
}

/// More credits were released than were in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverRelease {
    /// Credits that had no matching send.
    pub excess: u16,
}

impl Credits {
    /// No credits: nothing may be sent before the startup indication.
    pub const fn empty() -> Self {
        Self {
            total: 0,
            used: 0,
            waiting_since_ns: 0,
        }
    }

    /// Sets the firmware's buffer count and forgets any use (after startup).
    pub fn reset(&mut self, total: u16) {
        *self = Self {
            total,
            used: 0,
            waiting_since_ns: 0,
        };
    }

    /// Credits available now.
    pub fn available(&self) -> u16 {
        self.total.saturating_sub(self.used)
    }

    /// Credits in use (messages sent and not yet confirmed).
    pub fn used(&self) -> u16 {
        self.used
    }

    /// The firmware's buffer count.
    pub fn total(&self) -> u16 {
        self.total
    }

    /// Takes `n` credits at `now_ns`. Returns `false` (and takes none) if fewer remain.
    pub fn take(&mut self, n: u16, now_ns: u64) -> bool {
        if n > self.available() {
            return false;
        }
        if self.used == 0 {
            self.waiting_since_ns = now_ns;
        }
        self.used += n;
        true
    }

    /// Gives back `n` credits at `now_ns`. A confirm is progress, so the watchdog restarts.
    pub fn release(&mut self, n: u16, now_ns: u64) -> Result<(), OverRelease> {
        self.waiting_since_ns = now_ns;
        if n > self.used {
            let excess = n - self.used;
            self.used = 0;
            return Err(OverRelease { excess });
        }
        self.used -= n;
        Ok(())
    }

    /// Whether credits have been outstanding with no confirm for at least `limit_ns`.
    pub fn stalled(&self, now_ns: u64, limit_ns: u64) -> bool {
        self.used > 0 && now_ns.saturating_sub(self.waiting_since_ns) >= limit_ns
    }

    /// When the watchdog would fire if nothing changes.
    pub fn stall_deadline(&self, limit_ns: u64) -> Option<u64> {
        (self.used > 0).then(|| self.waiting_since_ns.saturating_add(limit_ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_and_release() {
        let mut c = Credits::empty();
        assert!(!c.take(1, 0));
        c.reset(2);
        assert!(c.take(1, 10));
        assert!(c.take(1, 20));
        assert!(!c.take(1, 30));
        assert_eq!(c.available(), 0);
        assert!(c.stalled(10 + 3_000, 3_000));
        assert!(!c.stalled(10 + 2_999, 3_000));
        assert_eq!(c.release(1, 40), Ok(()));
        assert!(!c.stalled(40 + 2_999, 3_000));
        assert_eq!(c.release(3, 50), Err(OverRelease { excess: 2 }));
        assert_eq!(c.used(), 0);
        assert_eq!(c.stall_deadline(5), None);
    }
}
