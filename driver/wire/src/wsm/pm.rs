// SPDX-License-Identifier: GPL-2.0-only
//! Set PM 0x0010 and the set-PM-complete indication 0x0809 (spec §3.3, §3.6, §4.5).

use super::{Message, Status};
use crate::Result;

/// ID of the set-PM request.
pub const SET_PM_REQ: u16 = 0x0010;
/// ID of the set-PM-complete indication.
pub const SET_PM_IND: u16 = 0x0809;

enum_with_unknown! {
    /// Power-management mode (spec §3.3).
    pub enum PmMode(u8) {
        /// Active.
        Active = 0x00,
        /// Legacy PS.
        Ps = 0x01,
        /// Fast PS (the driver's choice, §4.5).
        FastPs = 0x81,
    }
}

view! {
    /// View of a set-PM body (spec §3.3).
    pub struct SetPmView;
    min_len = 4;
    /// Mode ([`PmMode`]).
    pm_mode / set_pm_mode: u8 = 0;
    /// Fast-PSM idle period in 500 µs units; 0xFF = more than 127 ms.
    fast_psm_idle_period / set_fast_psm_idle_period: u8 = 1;
    /// AP PSM change period.
    ap_psm_change_period / set_ap_psm_change_period: u8 = 2;
    /// Minimum auto PS-poll period.
    min_auto_ps_poll_period / set_min_auto_ps_poll_period: u8 = 3;
}

/// Set PM 0x0010 (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetPm {
    /// Mode.
    pub mode: PmMode,
    /// Fast-PSM idle period (500 µs units).
    pub fast_psm_idle_period: u8,
    /// AP PSM change period.
    pub ap_psm_change_period: u8,
    /// Minimum auto PS-poll period.
    pub min_auto_ps_poll_period: u8,
}

impl<'a> Message<'a> for SetPm {
    const ID: u16 = SET_PM_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = SetPmView::new_checked(body)?;
        Ok(SetPm {
            mode: v.pm_mode().into(),
            fast_psm_idle_period: v.fast_psm_idle_period(),
            ap_psm_change_period: v.ap_psm_change_period(),
            min_auto_ps_poll_period: v.min_auto_ps_poll_period(),
        })
    }

    fn buffer_len(&self) -> usize {
        4
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = SetPmView::new_unchecked(body);
        v.set_pm_mode(self.mode.into());
        v.set_fast_psm_idle_period(self.fast_psm_idle_period);
        v.set_ap_psm_change_period(self.ap_psm_change_period);
        v.set_min_auto_ps_poll_period(self.min_auto_ps_poll_period);
    }
}

view! {
    /// View of a set-PM-complete body (spec §3.6).
    pub struct SetPmIndView;
    min_len = 5;
    /// Status.
    status / set_status: u32 = 0;
    /// New mode.
    psm / set_psm: u8 = 4;
}

/// Set-PM complete 0x0809 (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetPmInd {
    /// Status.
    pub status: Status,
    /// New power-save mode.
    pub psm: u8,
}

impl<'a> Message<'a> for SetPmInd {
    const ID: u16 = SET_PM_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = SetPmIndView::new_checked(body)?;
        Ok(SetPmInd {
            status: v.status().into(),
            psm: v.psm(),
        })
    }

    fn buffer_len(&self) -> usize {
        5
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = SetPmIndView::new_unchecked(body);
        v.set_status(self.status.into());
        v.set_psm(self.psm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn set_pm_golden() {
        // FAST_PS with idle 8 × 2 = 16 units (spec §4.5).
        let r = SetPm {
            mode: PmMode::FastPs,
            fast_psm_idle_period: 16,
            ap_psm_change_period: 0,
            min_auto_ps_poll_period: 0,
        };
        check_golden(&r, &[0x81, 0x10, 0x00, 0x00], 4);
    }

    #[test]
    fn set_pm_ind_golden() {
        check_golden(
            &SetPmInd {
                status: Status::Success,
                psm: 1,
            },
            &[0, 0, 0, 0, 1],
            5,
        );
    }
}
