//! mac80211's `conf_tx` (per-queue EDCA) and `set_rts_threshold`, mapped to the requests
//! the vendor driver sends (`C:sta.c:802-858`, `C:sta.c:1142-1170`).
//!
//! `conf_tx` for one queue sends, in order: set-TX-queue-params 0x0012 for that queue
//! (ack policy, medium time and lifetime 0), set-EDCA-params 0x0013 with the whole
//! four-queue table (the changed queue updated), and, for a station, the U-APSD MIB 0x1013.

use bes2600_wire::wsm::assoc::{AssocMib, UapsdInfo};
use bes2600_wire::wsm::queue::{EdcaParams, EdcaQueue, TxQueueParams};
use bes2600_wire::wsm::tx::Queue;

/// TXOP unit: mac80211 gives the TXOP limit in 32 µs units, the firmware takes µs
/// (`TXOP_UNIT`, `C:wsm.h:1250`).
pub const TXOP_UNIT_US: u16 = 32;
/// Maximum receive lifetime C puts in every EDCA entry (`C:sta.c:835`).
pub const EDCA_RX_LIFETIME: u32 = 0xC8;

/// One `conf_tx` call's parameters (`struct ieee80211_tx_queue_params`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxQueueConf {
    /// AIFSN.
    pub aifs: u8,
    /// CWmin.
    pub cw_min: u16,
    /// CWmax.
    pub cw_max: u16,
    /// TXOP limit in 32 µs units.
    pub txop: u16,
    /// U-APSD trigger-enabled.
    pub uapsd: bool,
}

/// The requests of one `conf_tx`, in C's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfTx {
    /// Set TX queue params 0x0012.
    pub queue: TxQueueParams,
    /// Set EDCA params 0x0013 (the whole table).
    pub edca: EdcaParams,
    /// U-APSD information MIB 0x1013.
    pub uapsd: AssocMib<'static>,
}

/// Why a `conf_tx` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfTxError {
    /// mac80211 queue beyond the four ACs (C returns -EINVAL, `C:sta.c:852`).
    BadQueue(u16),
}

/// The driver's copy of the EDCA table and U-APSD flags (C's `priv->edca`), indexed by
/// mac80211 queue (0 VO, 1 VI, 2 BE, 3 BK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EdcaState {
    queues: [EdcaQueue; 4],
    uapsd: [bool; 4],
    /// The RTS threshold last sent (`None`: never), as C's `rtsvalue` (`C:sta.c:1150`).
    rts: Option<u32>,
}

impl EdcaState {
    /// An empty table.
    pub const fn new() -> Self {
        Self {
            queues: [EdcaQueue {
                cw_min: 0,
                cw_max: 0,
                aifsn: 0,
                txop: 0,
                max_rx_lifetime: 0,
            }; 4],
            uapsd: [false; 4],
            rts: None,
        }
    }

    /// The EDCA entry of mac80211 queue `q` as last configured.
    pub fn queue(&self, q: u16) -> Option<EdcaQueue> {
        self.queues.get(usize::from(q)).copied()
    }

    /// Maps `conf_tx(queue, params)` and remembers the queue's values.
    ///
    /// # Errors
    ///
    /// [`ConfTxError::BadQueue`] for a queue beyond 3.
    pub fn conf_tx(&mut self, queue: u16, p: &TxQueueConf) -> Result<ConfTx, ConfTxError> {
        let wsm_queue = Queue::from_mac80211(queue).ok_or(ConfTxError::BadQueue(queue))?;
        let i = usize::from(queue);
        let (Some(slot), Some(u)) = (self.queues.get_mut(i), self.uapsd.get_mut(i)) else {
            return Err(ConfTxError::BadQueue(queue));
        };
        *slot = EdcaQueue {
            cw_min: p.cw_min,
            cw_max: p.cw_max,
            aifsn: p.aifs,
            txop: p.txop.saturating_mul(TXOP_UNIT_US),
            max_rx_lifetime: EDCA_RX_LIFETIME,
        };
        *u = p.uapsd;
        // U-APSD flag bits: VO 3, VI 2, BE 1, BK 0, i.e. bit 3 - mac80211 queue
        // (`C:sta.c:2514-2527`).
        let flags = self
            .uapsd
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .fold(0u16, |acc, (q, _)| acc | 1 << (3 - q));
        Ok(ConfTx {
            queue: TxQueueParams {
                queue: wsm_queue,
                ack_policy: 0,
                max_tx_lifetime: 0,
                allowed_medium_time: 0,
            },
            // C's EDCA table is indexed by mac80211 queue and written from index 3 down to
            // 0 (`C:wsm.c:857-880`); the wire type writes `params` from index 3 down to 0,
            // so it is filled by mac80211 queue to give C's byte order.
            edca: EdcaParams {
                params: self.queues,
            },
            uapsd: AssocMib::UapsdInfo(UapsdInfo {
                flags,
                ..UapsdInfo::default()
            }),
        })
    }

    /// Maps `set_rts_threshold(value)`: the RTS-threshold MIB, 0 for "disabled"
    /// (`u32::MAX` from mac80211), or nothing when the value did not change
    /// (`C:sta.c:1150-1166`).
    pub fn set_rts_threshold(&mut self, value: u32) -> Option<AssocMib<'static>> {
        if self.rts == Some(value) {
            return None;
        }
        self.rts = Some(value);
        Some(AssocMib::RtsThreshold(if value == u32::MAX {
            0
        } else {
            value
        }))
    }

    /// Forgets what the firmware was told (after a firmware reset), so the next calls send
    /// everything again.
    pub fn forget(&mut self) {
        *self = Self::new();
    }
}
