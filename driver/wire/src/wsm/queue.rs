// SPDX-License-Identifier: GPL-2.0-only
//! Set TX queue params 0x0012 and set EDCA params 0x0013 (spec §3.3).

use super::tx::Queue;
use super::Message;
use crate::field::{check_zero, le16, le32, set_le16, set_le32};
use crate::{Error, Result};

/// ID of the set-TX-queue-params request.
pub const SET_TX_QUEUE_PARAMS_REQ: u16 = 0x0012;
/// ID of the set-EDCA-params request.
pub const SET_EDCA_PARAMS_REQ: u16 = 0x0013;

view! {
    /// View of a set-TX-queue-params body (12 bytes, spec §3.3).
    pub struct TxQueueParamsView;
    min_len = 12;
    /// Queue (ACI).
    queue / set_queue: u8 = 0;
    /// Reserved.
    reserved1 / set_reserved1: u8 = 1;
    /// Ack policy.
    ack_policy / set_ack_policy: u8 = 2;
    /// Reserved.
    reserved2 / set_reserved2: u8 = 3;
    /// Maximum TX lifetime.
    max_tx_lifetime / set_max_tx_lifetime: u32 = 4;
    /// Allowed medium time.
    allowed_medium_time / set_allowed_medium_time: u16 = 8;
    /// Reserved.
    reserved3 / set_reserved3: u16 = 10;
}

/// Set TX queue params 0x0012 (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxQueueParams {
    /// Queue.
    pub queue: Queue,
    /// Ack policy.
    pub ack_policy: u8,
    /// Maximum TX lifetime.
    pub max_tx_lifetime: u32,
    /// Allowed medium time.
    pub allowed_medium_time: u16,
}

impl<'a> Message<'a> for TxQueueParams {
    const ID: u16 = SET_TX_QUEUE_PARAMS_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = TxQueueParamsView::new_checked(body)?;
        if v.queue() > 3 {
            return Err(Error::BadValue);
        }
        check_zero(&[v.reserved1(), v.reserved2()])?;
        check_zero(&v.reserved3().to_le_bytes())?;
        Ok(TxQueueParams {
            queue: Queue::from_bits(v.queue()),
            ack_policy: v.ack_policy(),
            max_tx_lifetime: v.max_tx_lifetime(),
            allowed_medium_time: v.allowed_medium_time(),
        })
    }

    fn buffer_len(&self) -> usize {
        12
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = TxQueueParamsView::new_unchecked(body);
        v.set_queue(self.queue as u8);
        v.set_reserved1(0);
        v.set_ack_policy(self.ack_policy);
        v.set_reserved2(0);
        v.set_max_tx_lifetime(self.max_tx_lifetime);
        v.set_allowed_medium_time(self.allowed_medium_time);
        v.set_reserved3(0);
    }
}

/// EDCA parameters of one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EdcaQueue {
    /// CWmin.
    pub cw_min: u16,
    /// CWmax.
    pub cw_max: u16,
    /// AIFSN.
    pub aifsn: u8,
    /// TXOP limit.
    pub txop: u16,
    /// Maximum RX lifetime.
    pub max_rx_lifetime: u32,
}

/// Size of the EDCA body (spec §3.3).
pub const EDCA_LEN: usize = 44;

/// Set EDCA params 0x0013 (spec §3.3): five groups of four values; within each group the
/// wire order is queue index 3, 2, 1, 0. `params` is indexed by mac80211 queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EdcaParams {
    /// Per queue, indexed by mac80211 queue (0 VO, 1 VI, 2 BE, 3 BK), C's order: C fills its
    /// table by "linux queue id" and writes it from index 3 down to 0 (C:wsm.h:1236-1243,
    /// C:wsm.c:857-880).
    pub params: [EdcaQueue; 4],
}

impl<'a> Message<'a> for EdcaParams {
    const ID: u16 = SET_EDCA_PARAMS_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let b = crate::field::take(body, EDCA_LEN)?;
        let mut params = [EdcaQueue::default(); 4];
        for (pos, p) in (0..4).zip(params.iter_mut().rev()) {
            p.cw_min = le16(&b[2 * pos..]);
            p.cw_max = le16(&b[8 + 2 * pos..]);
            p.aifsn = b[16 + pos];
            p.txop = le16(&b[20 + 2 * pos..]);
            p.max_rx_lifetime = le32(&b[28 + 4 * pos..]);
        }
        Ok(EdcaParams { params })
    }

    fn buffer_len(&self) -> usize {
        EDCA_LEN
    }

    fn emit(&self, b: &mut [u8]) {
        for (pos, p) in (0..4).zip(self.params.iter().rev()) {
            set_le16(&mut b[2 * pos..], p.cw_min);
            set_le16(&mut b[8 + 2 * pos..], p.cw_max);
            b[16 + pos] = p.aifsn;
            set_le16(&mut b[20 + 2 * pos..], p.txop);
            set_le32(&mut b[28 + 4 * pos..], p.max_rx_lifetime);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn tx_queue_params_golden() {
        let r = TxQueueParams {
            queue: Queue::Voice,
            ack_policy: 0,
            max_tx_lifetime: 1000,
            allowed_medium_time: 0,
        };
        check_golden(&r, &[3, 0, 0, 0, 0xE8, 0x03, 0, 0, 0, 0, 0, 0], 12);
        assert_eq!(
            TxQueueParams::parse(&[4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(Error::BadValue)
        );
        assert_eq!(
            TxQueueParams::parse(&[3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(Error::Reserved)
        );
    }

    #[test]
    fn edca_order_is_3_2_1_0() {
        let q = |i: u8| EdcaQueue {
            cw_min: 0x10 + u16::from(i),
            cw_max: 0x20 + u16::from(i),
            aifsn: 0x30 + i,
            txop: 0x40 + u16::from(i),
            max_rx_lifetime: 0x50 + u32::from(i),
        };
        let r = EdcaParams {
            params: [q(0), q(1), q(2), q(3)],
        };
        #[rustfmt::skip]
        let g: [u8; 44] = [
            0x13, 0, 0x12, 0, 0x11, 0, 0x10, 0, // cwMin for queues 3,2,1,0
            0x23, 0, 0x22, 0, 0x21, 0, 0x20, 0, // cwMax
            0x33, 0x32, 0x31, 0x30,             // aifsn
            0x43, 0, 0x42, 0, 0x41, 0, 0x40, 0, // txop
            0x53, 0, 0, 0, 0x52, 0, 0, 0, 0x51, 0, 0, 0, 0x50, 0, 0, 0,
        ];
        check_golden(&r, &g, 44);
    }
}
