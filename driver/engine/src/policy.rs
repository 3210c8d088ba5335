//! Recovery policy: thresholds (a [`Policy`] with defaults) and the sliding windows that
//! turn repeated symptoms into one recovery decision.

/// One second in nanoseconds.
pub const SEC_NS: u64 = 1_000_000_000;
/// One millisecond in nanoseconds.
pub const MS_NS: u64 = 1_000_000;

/// Configurable thresholds and budgets. `Policy::default()` holds the project defaults;
/// values that come from the chip's behaviour cite the spec, the rest are our choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Decrypt failures (RX status 4) within [`Self::decrypt_window_ns`] that count as a
    /// storm and ask the host to reassociate. Our choice: 32.
    pub decrypt_storm_count: u32,
    /// Window for the decrypt-storm count. Our choice: 10 s.
    pub decrypt_window_ns: u64,
    /// BSS-lost events within [`Self::conn_loss_window_ns`] that trigger a bus reset and
    /// firmware re-download. Default 3 (field notes, DESIGN.md §4).
    pub conn_loss_count: u32,
    /// Window for the connection-loss count. Default 60 s (DESIGN.md §4).
    pub conn_loss_window_ns: u64,
    /// Default WSM command timeout: 6 s (spec §3.11).
    pub cmd_timeout_ns: u64,
    /// Timeout of join, start and reset: 7 s (spec §3.11).
    pub cmd_timeout_long_ns: u64,
    /// Latest deadline a command can reach by extension while RX data flows: 10 s, the
    /// "last chance" of spec §3.11.
    pub cmd_timeout_cap_ns: u64,
    /// Startup indication wait: 10 s (spec §3.1, §3.11).
    pub startup_timeout_ns: u64,
    /// Firmware-hang watchdog: credits outstanding with no confirm for this long (spec §4.3,
    /// 3 s).
    pub fw_hang_ns: u64,
    /// Bounded MCU_READY poll before the activate handshake (spec §1.9 has no bound in C;
    /// we poll at most this many times, [`Self::activate_poll_ns`] apart).
    pub mcu_ready_polls: u32,
    /// Doorbell/SLAVE_STATUS attempts of the WIFI activate handshake: 200 (spec §1.9).
    pub activate_attempts: u32,
    /// Pause between activate attempts: 25 ms for WIFI (spec §1.9).
    pub activate_poll_ns: u64,
    /// Re-reads of a zero or stale length register before giving up for this pass: 6
    /// (spec §1.5 errata 4, 7 reads in all).
    pub rx_zero_retries: u32,
    /// Consecutive stale length-register reads (non-zero length, wrong toggle, spec §1.5)
    /// across passes after which the RX toggle is taken as lost and the bus is reset. A
    /// stale value normally clears within one poll; one that never does would otherwise
    /// stall RX for good. Our choice: 21 (three passes of 7 reads).
    pub rx_stale_limit: u32,
    /// After a burst, leave the next one to the chip's interrupt instead of polling the
    /// length and status registers again. The SDIO card interrupt is level-triggered and
    /// reading reg 0x001 re-arms it (spec §1.4), so nothing is missed; it saves the idle poll
    /// (0x001 + 0x000) per burst. The zero-length rules of spec §1.5 (errata 4) still apply
    /// whenever reg 0x001 reads 0. `false` polls after every burst as the C driver does.
    pub rx_irq_after_burst: bool,
    /// CMD53 retries on CRC errors: 10 (spec §1.5, §1.7).
    pub crc_retries: u32,
    /// Frames (RX delivered plus TX written) after which `run` yields.
    pub budget_frames: u32,
    /// Time after which `run` yields, measured with [`crate::Host::now_ns`].
    pub budget_ns: u64,
    /// Append the 4-byte host timestamp trailer to each TX message (spec errata 1).
    pub tx_timestamp_trailer: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            decrypt_storm_count: 32,
            decrypt_window_ns: 10 * SEC_NS,
            conn_loss_count: 3,
            conn_loss_window_ns: 60 * SEC_NS,
            cmd_timeout_ns: 6 * SEC_NS,
            cmd_timeout_long_ns: 7 * SEC_NS,
            cmd_timeout_cap_ns: 10 * SEC_NS,
            startup_timeout_ns: 10 * SEC_NS,
            fw_hang_ns: 3 * SEC_NS,
            mcu_ready_polls: 200,
            activate_attempts: 200,
            activate_poll_ns: 25 * MS_NS,
            rx_zero_retries: 6,
            rx_stale_limit: 21,
            rx_irq_after_burst: true,
            crc_retries: 10,
            budget_frames: 1024,
            budget_ns: 2 * MS_NS,
            tx_timestamp_trailer: true,
        }
    }
}

/// Largest threshold a [`Window`] can count to.
pub const WINDOW_MAX: usize = 64;

/// Counts events in a sliding time window and fires when `threshold` of them fall inside
/// `window_ns`. Keeps the last `threshold` timestamps (capped at [`WINDOW_MAX`]).
#[derive(Debug, Clone)]
pub struct Window {
    times: [u64; WINDOW_MAX],
    len: usize,
    head: usize,
    threshold: usize,
    window_ns: u64,
}

impl Window {
    /// A window firing at `threshold` events (clamped to 1..=[`WINDOW_MAX`]) within
    /// `window_ns`.
    pub fn new(threshold: u32, window_ns: u64) -> Self {
        let threshold = usize::try_from(threshold)
            .unwrap_or(WINDOW_MAX)
            .clamp(1, WINDOW_MAX);
        Self {
            times: [0; WINDOW_MAX],
            len: 0,
            head: 0,
            threshold,
            window_ns,
        }
    }

    /// Records one event at `now_ns`; returns `true` when this event completes a set of
    /// `threshold` events inside the window. The window is then emptied, so one storm fires
    /// once.
    pub fn record(&mut self, now_ns: u64) -> bool {
        // PANIC: head < threshold <= WINDOW_MAX by construction.
        self.times[self.head] = now_ns;
        self.head = (self.head + 1) % self.threshold;
        if self.len < self.threshold {
            self.len += 1;
        }
        if self.len < self.threshold {
            return false;
        }
        // The oldest kept event is at `head` once the ring is full.
        let oldest = self.times[self.head];
        if now_ns.saturating_sub(oldest) <= self.window_ns {
            self.clear();
            true
        } else {
            false
        }
    }

    /// Forgets every event.
    pub fn clear(&mut self) {
        self.len = 0;
        self.head = 0;
    }

    /// Number of events currently kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_at_threshold_inside_window() {
        let mut w = Window::new(3, 60 * SEC_NS);
        assert!(!w.record(0));
        assert!(!w.record(10 * SEC_NS));
        assert!(w.record(59 * SEC_NS));
        // Emptied after firing.
        assert!(w.is_empty());
    }

    #[test]
    fn does_not_fire_when_spread_wider_than_window() {
        let mut w = Window::new(3, 60 * SEC_NS);
        assert!(!w.record(0));
        assert!(!w.record(30 * SEC_NS));
        assert!(!w.record(61 * SEC_NS));
        // The oldest slid out; the next one inside 60 s of the second fires.
        assert!(w.record(89 * SEC_NS));
    }

    #[test]
    fn threshold_is_clamped() {
        let mut w = Window::new(0, SEC_NS);
        assert!(w.record(5));
        let mut big = Window::new(1000, SEC_NS);
        for i in 0..(WINDOW_MAX as u64 - 1) {
            assert!(!big.record(i));
        }
        assert!(big.record(WINDOW_MAX as u64));
    }
}
