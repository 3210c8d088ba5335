//! What the chip queues for the host before a burst is rendered (`render.rs`), and the
//! announced burst itself.

use crate::regs;

/// A message waiting to go to the host (rendered into bytes when a burst is announced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Out {
    Startup,
    /// Generic confirm: `id` already has the confirm bit and if_id; `extra` selects the body.
    Confirm {
        id: u16,
        status: u32,
        extra: CnfExtra,
    },
    TxConfirm {
        count: u8,
        ids: [u32; 16],
        statuses: [u8; 16],
        /// The firmware rate number each frame went out at (txedRate, spec §3.6).
        rates: [u8; 16],
        multi: bool,
    },
    Mgmt {
        kind: Mgmt,
        if_id: u8,
    },
    ScanComplete {
        channels: u8,
    },
    PmComplete {
        psm: u8,
    },
    Event {
        id: u32,
        data: u32,
    },
    DecryptFail,
    /// Air mode: the next frame in the radio's RX FIFO, as a receive indication on `if_id`.
    AirRx {
        if_id: u8,
    },
    Garbage {
        len: u16,
    },
}

/// Extra confirm bodies (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CnfExtra {
    None,
    ReadMib(u16),
    Configuration,
    Join,
    Mcu(u32),
}

/// Management/data frames the AP sends (as receive indications).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mgmt {
    Beacon,
    /// A beacon whose TIM announces frames buffered for the station (`ps.rs`).
    BeaconTim,
    ProbeResp,
    AuthResp,
    AssocResp(u16),
    ArpReply {
        mac: [u8; 6],
        ip: [u8; 4],
    },
    Deauth,
}

/// The announced, not yet read, RX burst.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Latched {
    /// Bytes announced (whole 512-byte blocks).
    pub(crate) len: usize,
    /// Bytes actually used by messages.
    pub(crate) used: usize,
    /// Messages in the burst.
    pub(crate) msgs: u8,
    /// End offset of each stream frame in the burst (to account for truncated reads).
    pub(crate) data_ends: [u16; regs::RX_MULTIPLE_NUM],
    pub(crate) data_count: u8,
    /// Value reg 0x001 shows for it.
    pub(crate) reg: u8,
}
