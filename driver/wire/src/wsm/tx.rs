// SPDX-License-Identifier: GPL-2.0-only
//! Transmit request 0x0004, TX confirm 0x0404 and multi-TX confirm 0x041E (spec §3.5, §3.6).

use super::{Message, Status};
use crate::field::{check_zero, le32, set_le32};
use crate::list::{List, Record};
use crate::{Error, Result};

/// ID of the transmit request.
pub const TX_REQ: u16 = 0x0004;
/// ID of the single TX confirm.
pub const TX_CNF: u16 = 0x0404;
/// ID of the multi-TX confirm.
pub const MULTI_TX_CNF: u16 = 0x041E;

/// Host headroom the driver reserves for the TX header, `WSM_TX_EXTRA_HEADROOM` (spec §3.5).
pub const TX_EXTRA_HEADROOM: usize = 28;

/// WSM TX queue (spec §3.5 `queueId` bits 0-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Queue {
    /// Best effort (0).
    BestEffort = 0,
    /// Background (1).
    Background = 1,
    /// Video (2).
    Video = 2,
    /// Voice (3).
    Voice = 3,
}

impl Queue {
    /// All queues by index.
    pub const ALL: [Queue; 4] = [
        Queue::BestEffort,
        Queue::Background,
        Queue::Video,
        Queue::Voice,
    ];

    /// The queue for the low 2 bits of `bits`.
    pub const fn from_bits(bits: u8) -> Self {
        Self::ALL[(bits & 3) as usize]
    }

    /// The WSM queue for mac80211 queue 0-3 (VO, VI, BE, BK → 3, 2, 0, 1; spec §3.5).
    pub const fn from_mac80211(q: u16) -> Option<Self> {
        match q {
            0 => Some(Queue::Voice),
            1 => Some(Queue::Video),
            2 => Some(Queue::BestEffort),
            3 => Some(Queue::Background),
            _ => None,
        }
    }

    /// The mac80211 queue of this WSM queue (inverse of [`Queue::from_mac80211`]).
    pub const fn to_mac80211(self) -> u16 {
        match self {
            Queue::Voice => 0,
            Queue::Video => 1,
            Queue::BestEffort => 2,
            Queue::Background => 3,
        }
    }
}

/// The 32-bit TX packet id (spec §3.5.1): item index, item generation, queue id, if_id,
/// link id, queue generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PacketId(pub u32);

impl PacketId {
    /// Packs the six fields; each is masked to its width.
    pub const fn new(
        item: u8,
        item_gen: u8,
        queue: u8,
        if_id: u8,
        link_id: u8,
        queue_gen: u8,
    ) -> Self {
        PacketId(
            item as u32
                | (item_gen as u32) << 8
                | ((queue & 0xF) as u32) << 16
                | ((if_id & 0xF) as u32) << 20
                | ((link_id & 0xF) as u32) << 24
                | ((queue_gen & 0xF) as u32) << 28,
        )
    }

    /// Bits 0-7: item index in the queue.
    pub const fn item(self) -> u8 {
        self.0 as u8 // CAST: low byte.
    }

    /// Bits 8-15: item generation.
    pub const fn item_gen(self) -> u8 {
        (self.0 >> 8) as u8 // CAST: byte 1.
    }

    /// Bits 16-19: queue id.
    pub const fn queue(self) -> u8 {
        ((self.0 >> 16) & 0xF) as u8
    }

    /// Bits 20-23: interface id.
    pub const fn if_id(self) -> u8 {
        ((self.0 >> 20) & 0xF) as u8
    }

    /// Bits 24-27: link id.
    pub const fn link_id(self) -> u8 {
        ((self.0 >> 24) & 0xF) as u8
    }

    /// Bits 28-31: queue generation.
    pub const fn queue_gen(self) -> u8 {
        (self.0 >> 28) as u8
    }
}

/// TX request flags byte (spec §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TxFlags(pub u8);

impl TxFlags {
    /// Bit 0: expiry counted from the request.
    pub const EXPIRY_FROM_REQUEST: u8 = 1 << 0;
    /// Bit 7: the frame starts 2 bytes later (alignment shift).
    pub const FRAME_OFFSET_2: u8 = 1 << 7;

    /// Builds flags from EPTA priority (0-7) and rate-policy index (0-7).
    pub const fn new(epta_priority: u8, rate_policy: u8) -> Self {
        TxFlags(((epta_priority & 7) << 1) | ((rate_policy & 7) << 4))
    }

    /// Bits 1-3: EPTA priority (4 data, 5 mgmt/video, 6 voice, 7 EAPOL).
    pub const fn epta_priority(self) -> u8 {
        (self.0 >> 1) & 7
    }

    /// Bits 4-6: rate-policy index (0-7).
    pub const fn rate_policy(self) -> u8 {
        (self.0 >> 4) & 7
    }

    /// Bit 7: the frame starts 2 bytes after the header.
    pub const fn frame_offset_2(self) -> bool {
        self.0 & Self::FRAME_OFFSET_2 != 0
    }
}

view! {
    /// View of a transmit request body (spec §3.5, offsets minus the 4-byte header); the
    /// frame follows (2 bytes later when flags bit 7 is set).
    pub struct TxReqView;
    min_len = 20;
    /// Packet id (§3.5.1).
    packet_id / set_packet_id: u32 = 0;
    /// Hw rate index of the first rate.
    max_tx_rate / set_max_tx_rate: u8 = 4;
    /// `(link_id << 2) | queue`.
    queue_id / set_queue_id: u8 = 5;
    /// More (always 0, errata 7).
    more / set_more: u8 = 6;
    /// Flags ([`TxFlags`]).
    flags / set_flags: u8 = 7;
    /// Reserved (0).
    reserved / set_reserved: u32 = 8;
    /// Expire time in TU (always 0, errata 7).
    expire_time / set_expire_time: u32 = 12;
    /// HT TX parameters: 0 non-HT, 1 mixed, 2 greenfield; bit 7 STBC.
    ht_tx_parameters / set_ht_tx_parameters: u32 = 16;
}

/// Transmit request 0x0004 (spec §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxReq<'a> {
    /// Packet id.
    pub packet_id: PacketId,
    /// Hw rate index of the first rate (spec §3.9).
    pub max_tx_rate: u8,
    /// WSM queue.
    pub queue: Queue,
    /// Link id (0..63; 0 for a station).
    pub link_id: u8,
    /// More (send 0, errata 7).
    pub more: u8,
    /// Flags.
    pub flags: TxFlags,
    /// Expire time (send 0, errata 7).
    pub expire_time: u32,
    /// HT TX parameters.
    pub ht_tx_parameters: u32,
    /// The 802.11 frame.
    pub frame: &'a [u8],
}

impl<'a> Message<'a> for TxReq<'a> {
    const ID: u16 = TX_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = TxReqView::new_checked(body)?;
        if v.reserved() != 0 {
            return Err(Error::Reserved);
        }
        let flags = TxFlags(v.flags());
        let mut frame = &body[TxReqView::<&[u8]>::FIXED_LEN..];
        if flags.frame_offset_2() {
            let pad = frame.get(..2).ok_or(Error::Truncated)?;
            check_zero(pad)?;
            frame = &frame[2..];
        }
        let q = v.queue_id();
        Ok(TxReq {
            packet_id: PacketId(v.packet_id()),
            max_tx_rate: v.max_tx_rate(),
            queue: Queue::from_bits(q),
            link_id: q >> 2,
            more: v.more(),
            flags,
            expire_time: v.expire_time(),
            ht_tx_parameters: v.ht_tx_parameters(),
            frame,
        })
    }

    fn buffer_len(&self) -> usize {
        TxReqView::<&[u8]>::FIXED_LEN
            + if self.flags.frame_offset_2() { 2 } else { 0 }
            + self.frame.len()
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = TxReqView::new_unchecked(&mut body[..]);
        v.set_packet_id(self.packet_id.0);
        v.set_max_tx_rate(self.max_tx_rate);
        v.set_queue_id((self.link_id << 2) | self.queue as u8);
        v.set_more(self.more);
        v.set_flags(self.flags.0);
        v.set_reserved(0);
        v.set_expire_time(self.expire_time);
        v.set_ht_tx_parameters(self.ht_tx_parameters);
        let mut tail = v.tail_mut();
        if self.flags.frame_offset_2() {
            tail[..2].fill(0);
            tail = &mut tail[2..];
        }
        tail[..self.frame.len()].copy_from_slice(self.frame);
    }
}

/// TX confirm flags (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TxCnfFlags(pub u16);

enum_with_unknown! {
    /// Ack type in TX confirm flags bits 2-3 (spec §3.6).
    pub enum AckType(u8) {
        /// Normal ack.
        Normal = 0,
        /// No ack.
        None = 1,
        /// No explicit ack.
        NoExplicit = 2,
        /// Block ack.
        BlockAck = 3,
    }
}

impl TxCnfFlags {
    /// Bit 0: the frame went out in an A-MPDU.
    pub const fn aggregated(self) -> bool {
        self.0 & 1 != 0
    }

    /// Bit 1: requeue (with status 11: implicit suspend, spec §3.8.1).
    pub const fn requeue(self) -> bool {
        self.0 & 2 != 0
    }

    /// Bits 2-3: ack type.
    pub fn ack_type(self) -> AckType {
        AckType::from(((self.0 >> 2) & 3) as u8) // CAST: 2 bits.
    }
}

view! {
    /// View of one TX confirm record (20 bytes, spec §3.6).
    pub struct TxCnfView;
    min_len = 20;
    /// Packet id.
    packet_id / set_packet_id: u32 = 0;
    /// Status.
    status / set_status: u32 = 4;
    /// Hw rate index used.
    txed_rate / set_txed_rate: u8 = 8;
    /// Ack failures.
    ack_failures / set_ack_failures: u8 = 9;
    /// Flags ([`TxCnfFlags`]).
    flags / set_flags: u16 = 10;
    /// Media delay.
    media_delay / set_media_delay: u32 = 12;
    /// TX queue delay.
    tx_queue_delay / set_tx_queue_delay: u32 = 16;
}

/// TX confirm 0x0404, also one record of the multi-TX confirm (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxCnf {
    /// Packet id of the request.
    pub packet_id: PacketId,
    /// Status (0 ack, 6 retries used up, 7 lifetime, 11 requeue).
    pub status: Status,
    /// Hw rate index used.
    pub txed_rate: u8,
    /// Ack failures.
    pub ack_failures: u8,
    /// Flags.
    pub flags: TxCnfFlags,
    /// Media delay.
    pub media_delay: u32,
    /// TX queue delay.
    pub tx_queue_delay: u32,
}

impl Record for TxCnf {
    const LEN: usize = 20;

    fn parse(b: &[u8]) -> Result<Self> {
        let v = TxCnfView::new_checked(b)?;
        Ok(TxCnf {
            packet_id: PacketId(v.packet_id()),
            status: v.status().into(),
            txed_rate: v.txed_rate(),
            ack_failures: v.ack_failures(),
            flags: TxCnfFlags(v.flags()),
            media_delay: v.media_delay(),
            tx_queue_delay: v.tx_queue_delay(),
        })
    }

    fn emit(&self, b: &mut [u8]) {
        let mut v = TxCnfView::new_unchecked(b);
        v.set_packet_id(self.packet_id.0);
        v.set_status(self.status.into());
        v.set_txed_rate(self.txed_rate);
        v.set_ack_failures(self.ack_failures);
        v.set_flags(self.flags.0);
        v.set_media_delay(self.media_delay);
        v.set_tx_queue_delay(self.tx_queue_delay);
    }
}

impl<'a> Message<'a> for TxCnf {
    const ID: u16 = TX_CNF;

    fn parse(body: &'a [u8]) -> Result<Self> {
        <TxCnf as Record>::parse(body)
    }

    fn buffer_len(&self) -> usize {
        <TxCnf as Record>::LEN
    }

    fn emit(&self, body: &mut [u8]) {
        <TxCnf as Record>::emit(self, body)
    }
}

/// Multi-TX confirm 0x041E: `u32 count` then `count` TX confirm records (spec §3.6). It
/// releases `count` TX credits. Bytes after the records are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiTxCnf<'a> {
    /// The confirms.
    pub confirms: List<'a, TxCnf>,
}

impl<'a> Message<'a> for MultiTxCnf<'a> {
    const ID: u16 = MULTI_TX_CNF;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let count = le32(crate::field::take(body, 4)?);
        let count = usize::try_from(count).map_err(|_| Error::BadCount)?;
        let recs = &body[4..];
        if count.checked_mul(TxCnf::LEN).is_none_or(|n| n > recs.len()) {
            return Err(Error::BadCount);
        }
        Ok(MultiTxCnf {
            confirms: List::parse(recs, count)?,
        })
    }

    fn buffer_len(&self) -> usize {
        4 + self.confirms.buffer_len()
    }

    fn emit(&self, body: &mut [u8]) {
        // CAST: a message holds at most 65535 bytes, far fewer than 2^32 records.
        set_le32(body, self.confirms.len() as u32);
        self.confirms.emit(&mut body[4..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    const FRAME: [u8; 6] = [0x08, 0x01, 0x00, 0x00, 0xAA, 0xBB];

    #[rustfmt::skip]
    const TX: [u8; 26] = [
        0x01, 0x02, 0x11, 0x10, // packetID: item 1, gen 2, queue 1, if 1, link 0, qgen 1
        0x0E,                   // maxTxRate MCS0
        0x05,                   // link 1 << 2 | queue 1 (BK)
        0x00,                   // more
        0x48,                   // flags: EPTA 4, policy 4
        0, 0, 0, 0,             // reserved
        0, 0, 0, 0,             // expireTime
        0x01, 0, 0, 0,          // mixed mode
        0x08, 0x01, 0x00, 0x00, 0xAA, 0xBB,
    ];

    fn tx() -> TxReq<'static> {
        TxReq {
            packet_id: PacketId::new(1, 2, 1, 1, 0, 1),
            max_tx_rate: 14,
            queue: Queue::Background,
            link_id: 1,
            more: 0,
            flags: TxFlags::new(4, 4),
            expire_time: 0,
            ht_tx_parameters: 1,
            frame: &FRAME,
        }
    }

    #[test]
    fn tx_deconstruct() {
        let v = TxReqView::new_checked(&TX[..]).unwrap();
        let p = PacketId(v.packet_id());
        assert_eq!(
            (
                p.item(),
                p.item_gen(),
                p.queue(),
                p.if_id(),
                p.link_id(),
                p.queue_gen()
            ),
            (1, 2, 1, 1, 0, 1)
        );
        assert_eq!(TxFlags(v.flags()).epta_priority(), 4);
        assert_eq!(TxFlags(v.flags()).rate_policy(), 4);
        assert_eq!(v.tail(), &FRAME);
    }

    #[test]
    fn tx_golden() {
        check_golden(&tx(), &TX, 20);
    }

    #[test]
    fn tx_frame_offset_2() {
        let mut r = tx();
        r.flags = TxFlags(r.flags.0 | TxFlags::FRAME_OFFSET_2);
        let mut g = [0u8; 28];
        g[..20].copy_from_slice(&TX[..20]);
        g[7] |= 0x80;
        g[22..].copy_from_slice(&FRAME);
        check_golden(&r, &g, 22);
        g[20] = 1;
        assert_eq!(TxReq::parse(&g), Err(Error::Reserved));
        let mut bad = TX;
        bad[9] = 1;
        assert_eq!(TxReq::parse(&bad), Err(Error::Reserved));
    }

    #[test]
    fn queue_map() {
        let m: Vec<_> = (0..4)
            .map(|q| Queue::from_mac80211(q).unwrap() as u8)
            .collect();
        assert_eq!(m, [3, 2, 0, 1]);
        for q in Queue::ALL {
            assert_eq!(Queue::from_mac80211(q.to_mac80211()), Some(q));
        }
        assert_eq!(Queue::from_mac80211(4), None);
    }

    #[rustfmt::skip]
    const CNF: [u8; 20] = [
        0x01, 0x02, 0x11, 0x10, // packetID
        0x06, 0, 0, 0,          // status: retry limit
        0x0E, 0x03,             // txedRate, ackFailures
        0x0D, 0x00,             // flags: aggregated, block ack
        0x10, 0, 0, 0,          // media delay 16
        0x20, 0, 0, 0,          // queue delay 32
    ];

    fn cnf() -> TxCnf {
        TxCnf {
            packet_id: PacketId::new(1, 2, 1, 1, 0, 1),
            status: Status::RetryExceeded,
            txed_rate: 14,
            ack_failures: 3,
            flags: TxCnfFlags(0x0D),
            media_delay: 16,
            tx_queue_delay: 32,
        }
    }

    #[test]
    fn tx_cnf_golden() {
        check_golden(&cnf(), &CNF, 20);
        assert!(cnf().flags.aggregated());
        assert!(!cnf().flags.requeue());
        assert_eq!(cnf().flags.ack_type(), AckType::BlockAck);
    }

    #[test]
    fn multi_tx_cnf() {
        let mut g = vec![2u8, 0, 0, 0];
        g.extend_from_slice(&CNF);
        g.extend_from_slice(&CNF);
        let items = [cnf(), cnf()];
        check_golden(
            &MultiTxCnf {
                confirms: List::from_items(&items),
            },
            &g,
            44,
        );
        // Count beyond the records, and a huge count.
        g[0] = 3;
        assert_eq!(MultiTxCnf::parse(&g), Err(Error::BadCount));
        assert_eq!(
            MultiTxCnf::parse(&[0xFF, 0xFF, 0xFF, 0xFF]),
            Err(Error::BadCount)
        );
        let r = MultiTxCnf::parse(&[0, 0, 0, 0]).unwrap();
        assert!(r.confirms.is_empty());
    }
}
