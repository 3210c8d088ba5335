//! Minimal reads of the WSM messages the engine dispatches (spec §3.2, §3.6, §3.7).
//!
//! TODO(wire): replace with `bes2600_wire::wsm` views once its message catalogue lands.
//! Every accessor is bounds-checked (`get`), so a short message yields `None`, never a panic.

use bes2600_wire::wsm::Id;

/// WSM header length (spec §3.2).
pub(crate) const HDR: usize = bes2600_wire::wsm::HEADER_LEN;

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The length field of a message (bytes 0-1).
pub(crate) fn declared_len(m: &[u8]) -> Option<usize> {
    u16_at(m, 0).map(usize::from)
}

/// The ID word of a message (bytes 2-3); `Id(0)` if the message is shorter.
pub(crate) fn id(m: &[u8]) -> Id {
    Id(u16_at(m, 2).unwrap_or(0))
}

/// Receive indication 0x0804 fields (spec §3.7): status, channel, rate, rcpi, flags.
pub(crate) struct RxInd {
    pub(crate) status: u32,
    pub(crate) channel: u16,
    pub(crate) rate: u8,
    pub(crate) rcpi: u8,
    pub(crate) flags: u32,
}

/// Offset of the 802.11 frame in a receive indication (spec §3.7).
pub(crate) const RX_FRAME_OFF: usize = 32;

pub(crate) fn rx_ind(m: &[u8]) -> Option<RxInd> {
    if m.len() < RX_FRAME_OFF {
        return None;
    }
    Some(RxInd {
        status: u32_at(m, 4)?,
        channel: u16_at(m, 8)?,
        rate: *m.get(10)?,
        rcpi: *m.get(11)?,
        flags: u32_at(m, 12)?,
    })
}

/// Startup indication 0x0801 (spec §3.6): 20 fixed bytes and a 128-byte label after the
/// header. `None` if short, status ≠ 0 or fwType > 4.
/// TODO(wire): replace with `bes2600_wire::wsm::StartupInd::parse` once it is exported.
pub(crate) fn startup(m: &[u8]) -> Option<crate::host::StartupInfo> {
    let status = u16_at(m, 12)?;
    let fw_type = u16_at(m, 16)?;
    if status != 0 || fw_type > 4 {
        return None;
    }
    let mut label = [0u8; crate::host::LABEL_LEN];
    label.copy_from_slice(m.get(24..24 + crate::host::LABEL_LEN)?);
    Some(crate::host::StartupInfo {
        label,
        num_inp_ch_bufs: u16_at(m, 4)?,
        size_inp_ch_buf: u16_at(m, 6)?,
        hw_id: u16_at(m, 8)?,
        fw_type,
        fw_api: u16_at(m, 18)?,
        fw_build: u16_at(m, 20)?,
        fw_version: u16_at(m, 22)?,
    })
}

/// Event indication 0x0805: (eventId, eventData).
pub(crate) fn event(m: &[u8]) -> Option<(u32, u32)> {
    Some((u32_at(m, 4)?, u32_at(m, 8)?))
}

/// Generic confirm: (status, body after the status).
pub(crate) fn confirm(m: &[u8]) -> Option<(u32, &[u8])> {
    Some((u32_at(m, 4)?, m.get(8..)?))
}

/// One 20-byte TX confirm record (spec §3.6).
pub(crate) const TX_CNF_LEN: usize = 20;

pub(crate) fn tx_confirm_record(r: &[u8]) -> Option<crate::host::TxStatus> {
    Some(crate::host::TxStatus {
        packet_id: u32_at(r, 0)?,
        status: u32_at(r, 4)?,
        txed_rate: *r.get(8)?,
        ack_failures: *r.get(9)?,
        flags: u16_at(r, 10)?,
        media_delay: u32_at(r, 12)?,
        queue_delay: u32_at(r, 16)?,
    })
}

/// Multi-TX confirm 0x041E: the record count.
pub(crate) fn multi_count(m: &[u8]) -> Option<u32> {
    u32_at(m, 4)
}

/// MCU reply (spec §3.2): handle_label (0x0F confirm, 0xF0 indication) and the bytes from
/// cmd_type on.
pub(crate) fn mcu_reply(m: &[u8]) -> Option<(u32, &[u8])> {
    Some((u32_at(m, 8)?, m.get(12..)?))
}

/// Scan complete 0x0806 / set-PM complete 0x0809: (status, psm byte).
pub(crate) fn status_psm(m: &[u8]) -> Option<(u32, u8)> {
    Some((u32_at(m, 4)?, *m.get(8)?))
}
