// SPDX-License-Identifier: GPL-2.0-only
//! Event indication 0x0805 and its event IDs (spec §3.6, §3.8.2).

use super::Message;
use crate::Result;

/// ID of the event indication.
pub const EVENT_IND: u16 = 0x0805;

enum_with_unknown! {
    /// Event id (spec §3.8.2).
    pub enum EventId(u32) {
        /// Error (ignored).
        Error = 0,
        /// BSS lost: starts the BSS-loss state machine (§5.2).
        BssLost = 1,
        /// BSS regained.
        BssRegained = 2,
        /// Radar detected.
        RadarDetected = 3,
        /// RCPI/RSSI threshold crossed; low byte of data = value.
        RcpiRssi = 4,
        /// BT inactive.
        BtInactive = 5,
        /// BT active.
        BtActive = 6,
        /// PS mode error; data = reason.
        PsModeError = 7,
        /// Inactivity (AP); data = bitmap of link ids.
        Inactivity = 9,
        /// Wake-up event; low 16 bits reason, high 16 bits source port (big-endian).
        WakeUp = 10,
    }
}

enum_with_unknown! {
    /// Reason of a PS mode error (spec §3.8.2).
    pub enum PsModeErrorReason(u32) {
        /// None.
        None = 0,
        /// AP did not answer a PS-Poll.
        NoPsPollResponse = 1,
        /// No response to a U-APSD trigger.
        NoUapsdResponse = 2,
        /// AP sent unicast while dozing.
        UnicastWhileDozing = 3,
        /// No data after TIM.
        NoDataAfterTim = 4,
    }
}

view! {
    /// View of an event indication body (spec §3.6).
    pub struct EventIndView;
    min_len = 8;
    /// Event id.
    event_id / set_event_id: u32 = 0;
    /// Event data.
    event_data / set_event_data: u32 = 4;
}

/// Event indication 0x0805 (spec §3.6, §3.8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventInd {
    /// Event id.
    pub id: EventId,
    /// Event data.
    pub data: u32,
}

impl EventInd {
    /// RCPI/RSSI value of an [`EventId::RcpiRssi`] event (low byte of data).
    pub const fn rcpi_rssi(&self) -> u8 {
        self.data as u8 // CAST: low byte by definition.
    }

    /// Reason of a [`EventId::PsModeError`] event.
    pub fn ps_mode_error_reason(&self) -> PsModeErrorReason {
        self.data.into()
    }

    /// `(reason, source port)` of a [`EventId::WakeUp`] event.
    pub const fn wake_up(&self) -> (u16, u16) {
        // CAST: halves of the word; the port half is stored big-endian.
        (self.data as u16, ((self.data >> 16) as u16).swap_bytes())
    }
}

impl<'a> Message<'a> for EventInd {
    const ID: u16 = EVENT_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = EventIndView::new_checked(body)?;
        Ok(EventInd {
            id: v.event_id().into(),
            data: v.event_data(),
        })
    }

    fn buffer_len(&self) -> usize {
        8
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = EventIndView::new_unchecked(body);
        v.set_event_id(self.id.into());
        v.set_event_data(self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn golden() {
        check_golden(
            &EventInd {
                id: EventId::BssLost,
                data: 0,
            },
            &[1, 0, 0, 0, 0, 0, 0, 0],
            8,
        );
        let e = EventInd::parse(&[10, 0, 0, 0, 0x02, 0x00, 0x14, 0xE9]).unwrap();
        assert_eq!(e.id, EventId::WakeUp);
        assert_eq!(e.wake_up(), (2, 0x14E9)); // port 5353 big-endian
        let e = EventInd::parse(&[4, 0, 0, 0, 0x9C, 0, 0, 0]).unwrap();
        assert_eq!(e.rcpi_rssi(), 0x9C);
        let e = EventInd::parse(&[7, 0, 0, 0, 4, 0, 0, 0]).unwrap();
        assert_eq!(e.ps_mode_error_reason(), PsModeErrorReason::NoDataAfterTim);
        assert_eq!(
            EventInd::parse(&[8, 0, 0, 0, 0, 0, 0, 0]).unwrap().id,
            EventId::Unknown(8)
        );
    }
}
