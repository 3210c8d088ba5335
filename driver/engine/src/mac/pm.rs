//! 802.11 power save (issue 15 §4): mac80211's PS state mapped to set-PM 0x0010 (spec §3.3).
//!
//! mac80211 tells a driver that sets `SUPPORTS_PS` and `SUPPORTS_DYNAMIC_PS` about power save
//! through the vif's `cfg.ps` with `BSS_CHANGED_PS`: for such a driver its
//! `ieee80211_recalc_ps` returns before it would set `IEEE80211_CONF_PS` (Linux 6.12,
//! `net/mac80211/mlme.c`), so `config` never sees `IEEE80211_CONF_CHANGE_PS`. The vendor
//! driver acts on the same `BSS_CHANGED_PS` (`C:ap.c:988-1035`). The firmware then sends the
//! null-data frames and wakes for the TIM itself (mac80211's "hardware handles all
//! powersaving" case; no `PS_NULLFUNC_STACK`).
//!
//! The vendor's rule, and where this mapping departs from it:
//!
//! - PS off: active (`C:ap.c:989-990`).
//! - PS on with a dynamic-PS timeout: fast PS 0x81, the firmware stays awake for the idle
//!   period after traffic (`C:ap.c:993-994`); the period is the timeout in 500 µs units,
//!   0xFF from 128 ms on (`C:ap.c:1013-1020`).
//! - PS on without a timeout: C picks legacy PS 0x01 (`C:ap.c:991-992`). mac80211 never
//!   fills `dynamic_ps_timeout` for a `SUPPORTS_DYNAMIC_PS` driver (same `ieee80211_recalc_ps`
//!   early return), so on current kernels C's rule would always pick legacy PS; C's own
//!   low-power path sends fast PS (`C:ap.c:480-485`, spec §4.5), and T reports that the
//!   firmware never completed a legacy 0x01 with 0x0809 (spec §4.5). This mapping sends
//!   fast PS with the shipped build's idle time, `BES2600_FASTPS_IDLE_TIME` = 8 ms
//!   (`C:Makefile:43-45`), which C applies over every timeout (`C:ap.c:1022-1025`).
//! - With U-APSD on any queue C clears the fast-PS flag (`C:sta.c:887-888`): legacy PS, the
//!   firmware then triggers U-APSD service periods instead of staying awake.
//!
//! C sends the request only when it differs from what the firmware holds
//! (`C:sta.c:890-897`); [`PmState`] keeps that.

use bes2600_wire::wsm::pm::{PmMode, SetPm};

/// The `BSS_CHANGED_PS` bit as the shim passes it (`BES_BSS_CHANGED_PS`), numbered after
/// [`super::bss::changed`].
pub const CHANGED_PS: u32 = 1 << 11;

/// Fast-PS idle time of the vendor's shipped build in ms (`BES2600_FASTPS_IDLE_TIME`,
/// `C:Makefile:43-45`): what this mapping uses when mac80211 gives no timeout.
pub const FAST_PS_IDLE_DEFAULT_MS: u8 = 8;

/// Timeouts from this many ms on are sent as 0xFF, "more than 127 ms" (`C:ap.c:1013-1017`).
const IDLE_CAP_MS: i32 = 0x80;

/// mac80211's power-save request for the station vif.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PsConf {
    /// `vif->cfg.ps`: mac80211 allows power save (user setting, associated, authorized).
    pub ps: bool,
    /// `hw->conf.dynamic_ps_timeout` in ms (0 or less: none given).
    pub dynamic_ps_timeout_ms: i32,
    /// U-APSD is on for some queue (C's `uapsd_info.uapsdFlags != 0`).
    pub uapsd: bool,
}

/// The fast-PS idle period in 500 µs units for a dynamic-PS timeout in ms.
pub fn fast_psm_idle_period(dynamic_ps_timeout_ms: i32) -> u8 {
    let ms = if dynamic_ps_timeout_ms > 0 {
        dynamic_ps_timeout_ms
    } else {
        i32::from(FAST_PS_IDLE_DEFAULT_MS)
    };
    if ms >= IDLE_CAP_MS {
        0xFF
    } else {
        // 1..=127 ms: at most 254 units.
        u8::try_from(ms * 2).unwrap_or(0xFF)
    }
}

/// The set-PM request for `conf` (module doc for the rule).
pub fn set_pm_for(conf: &PsConf) -> SetPm {
    let mode = match (conf.ps, conf.uapsd) {
        (false, _) => PmMode::Active,
        (true, true) => PmMode::Ps,
        (true, false) => PmMode::FastPs,
    };
    SetPm {
        mode,
        // C sends the period with every mode (`C:ap.c:1013-1025` runs for active too).
        fast_psm_idle_period: fast_psm_idle_period(conf.dynamic_ps_timeout_ms),
        ap_psm_change_period: 0,
        min_auto_ps_poll_period: 0,
    }
}

/// What the firmware was last sent (C's `firmware_ps_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PmState {
    sent: Option<SetPm>,
}

impl PmState {
    /// Nothing sent yet.
    pub const fn new() -> Self {
        Self { sent: None }
    }

    /// The request to send for `conf`, or `None` when the firmware already holds it.
    pub fn update(&mut self, conf: &PsConf) -> Option<SetPm> {
        let pm = set_pm_for(conf);
        if self.sent == Some(pm) {
            return None;
        }
        self.sent = Some(pm);
        Some(pm)
    }

    /// The mode the firmware was last told (active before any request).
    pub fn mode(&self) -> PmMode {
        self.sent.map_or(PmMode::Active, |p| p.mode)
    }

    /// Forgets what the firmware holds (after a firmware reset, which starts active).
    pub fn forget(&mut self) {
        self.sent = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bes2600_wire::wsm::Message;

    fn conf(ps: bool, timeout: i32) -> PsConf {
        PsConf {
            ps,
            dynamic_ps_timeout_ms: timeout,
            uapsd: false,
        }
    }

    #[test]
    fn ps_off_is_active() {
        for t in [-1, 0, 50, 200] {
            assert_eq!(set_pm_for(&conf(false, t)).mode, PmMode::Active);
        }
    }

    #[test]
    fn ps_on_is_fast_ps_with_or_without_a_timeout() {
        for t in [-1, 0, 1, 100, 500] {
            assert_eq!(
                set_pm_for(&conf(true, t)).mode,
                PmMode::FastPs,
                "timeout {t}"
            );
        }
    }

    #[test]
    fn uapsd_clears_the_fast_flag() {
        let c = PsConf {
            uapsd: true,
            ..conf(true, 100)
        };
        assert_eq!(set_pm_for(&c).mode, PmMode::Ps);
        let off = PsConf {
            uapsd: true,
            ..conf(false, 100)
        };
        assert_eq!(set_pm_for(&off).mode, PmMode::Active);
    }

    #[test]
    fn idle_period_is_the_timeout_in_half_ms_capped_at_0xff() {
        assert_eq!(fast_psm_idle_period(1), 2);
        assert_eq!(fast_psm_idle_period(100), 200);
        assert_eq!(fast_psm_idle_period(127), 254);
        assert_eq!(fast_psm_idle_period(128), 0xFF);
        assert_eq!(fast_psm_idle_period(i32::MAX), 0xFF);
        // No timeout: the shipped build's 8 ms.
        assert_eq!(fast_psm_idle_period(0), 16);
        assert_eq!(fast_psm_idle_period(-1), 16);
        assert_eq!(fast_psm_idle_period(i32::MIN), 16);
    }

    #[test]
    fn the_request_on_the_wire_is_the_vendors_fast_ps() {
        // mac80211 6.12 with PS on: no timeout, so 0x81 with 16 units (spec §4.5).
        let pm = set_pm_for(&conf(true, 0));
        let mut body = [0u8; 4];
        pm.emit(&mut body);
        assert_eq!(body, [0x81, 16, 0, 0]);
        assert_eq!(SetPm::parse(&body).ok(), Some(pm));
    }

    #[test]
    fn state_sends_only_changes_and_forgets_at_reset() {
        let mut s = PmState::new();
        assert_eq!(s.mode(), PmMode::Active);
        let on = s.update(&conf(true, 0));
        assert_eq!(on.map(|p| p.mode), Some(PmMode::FastPs));
        assert_eq!(s.mode(), PmMode::FastPs);
        assert_eq!(s.update(&conf(true, 0)), None, "same request again");
        // A different period is a different request.
        assert!(s.update(&conf(true, 20)).is_some());
        assert_eq!(
            s.update(&conf(false, 20)).map(|p| p.mode),
            Some(PmMode::Active)
        );
        s.forget();
        assert_eq!(s.mode(), PmMode::Active);
        assert!(
            s.update(&conf(false, 20)).is_some(),
            "after a reset it is sent again"
        );
    }
}
