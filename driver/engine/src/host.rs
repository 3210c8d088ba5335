//! The host seam: what the engine hands to mac80211 (kernel module) or to a test harness,
//! and where it pulls TX frames from.

use crate::cmd::CmdDone;
use crate::shared::RecoveryCause;
use core::ops::Range;

/// Most messages one RX burst can carry (`BES_SDIO_RX_MULTIPLE_NUM`, spec §1.6).
pub const RX_BATCH_MAX: usize = 16;

/// Metadata of one received 802.11 frame, from its receive indication 0x0804 (spec §3.7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RxMeta {
    /// Interface id from the ID word (bits 6-9); 2 marks scan results (spec §3.7).
    pub if_id: u8,
    /// WSM status: 0, or 5 (MIC failure, passed up so mac80211 can count it).
    pub status: u32,
    /// Channel number.
    pub channel: u16,
    /// Hardware rate index (spec §3.9).
    pub rate: u8,
    /// RCPI, unsigned Q7.1; RSSI dBm = rcpi/2 − 110 (spec §3.7).
    pub rcpi: u8,
    /// RX flags (encryption bits 0-2, A-MPDU bits, link id bits 25-28, …).
    pub flags: u32,
}

impl RxMeta {
    /// Link id from flags bits 25-28 (spec §3.7).
    pub fn link_id(&self) -> u8 {
        ((self.flags >> 25) & 0xF) as u8
    }

    /// What the firmware did about the frame's encryption (spec §3.7).
    pub const fn crypto(&self) -> crate::keys::RxCrypto {
        crate::keys::RxCrypto::from_rx(self.flags, self.status)
    }

    /// Whether the frame came from a scan (interface id 2, spec §3.7).
    pub fn is_scan_result(&self) -> bool {
        self.if_id == 2
    }
}

/// One entry of an [`RxBatch`]: where the 802.11 frame lies in the burst buffer, and its
/// metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxEntry {
    /// Byte range of the 802.11 frame inside [`RxBatch::burst`].
    pub range: Range<usize>,
    /// Metadata from the receive indication.
    pub meta: RxMeta,
}

/// The frames of one RX burst, delivered once per burst so the kernel side can build one
/// skb list and call `ieee80211_rx_list` once (DESIGN.md §2 step 3).
///
/// The ranges point into the burst: the engine's own buffer ([`RxBatch::burst`]), or, when
/// the host lent the memory for this burst ([`Host::rx_buffer`], [`RxBatch::lent`]), the
/// buffer the host lent, which holds the frames exactly as the bus transfer left them. A
/// host can then hand frames on by reference, without copying them.
#[derive(Debug)]
pub struct RxBatch<'a> {
    burst: &'a [u8],
    entries: &'a [RxEntry],
    lent: bool,
}

impl<'a> RxBatch<'a> {
    pub(crate) fn new(burst: &'a [u8], entries: &'a [RxEntry], lent: bool) -> Self {
        Self {
            burst,
            entries,
            lent,
        }
    }

    /// The whole burst buffer the ranges point into; empty when the burst is in the
    /// buffer the host lent ([`RxBatch::lent`]).
    pub fn burst(&self) -> &'a [u8] {
        self.burst
    }

    /// Whether the ranges point into the buffer the host lent for this burst
    /// ([`Host::rx_buffer`]) rather than into [`RxBatch::burst`].
    pub fn lent(&self) -> bool {
        self.lent
    }

    /// The entries, in arrival order.
    pub fn entries(&self) -> &'a [RxEntry] {
        self.entries
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the batch is empty (never true when delivered).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The frames with their metadata, from `burst`: [`RxBatch::burst`], or the buffer the
    /// host lent when [`RxBatch::lent`]. Ranges were checked against the burst length when
    /// the batch was built; an entry whose range were out of bounds of `burst` (the wrong
    /// buffer) yields an empty frame.
    pub fn frames_in<'b>(
        &self,
        burst: &'b [u8],
    ) -> impl Iterator<Item = (&'a RxMeta, &'b [u8])> + use<'a, 'b> {
        self.entries
            .iter()
            .map(move |e| (&e.meta, burst.get(e.range.clone()).unwrap_or(&[])))
    }

    /// The frames with their metadata from [`RxBatch::burst`] (empty frames when the
    /// burst is in lent memory: use [`RxBatch::frames_in`] there).
    pub fn iter(&self) -> impl Iterator<Item = (&'a RxMeta, &'a [u8])> + 'a {
        self.frames_in(self.burst)
    }
}

/// The outcome of one transmitted frame, from a TX confirm 0x0404 or one record of a
/// multi-TX confirm 0x041E (spec §3.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TxStatus {
    /// The packetID the host put in the transmit request (spec §3.5.1).
    pub packet_id: u32,
    /// WSM status: 0 ACKed, 6 retries used up, 7 lifetime expired, 11 requeue (spec §3.8.1).
    pub status: u32,
    /// Firmware rate number the frame went out at (spec §3.9: the policy's first rate when
    /// the first attempt was acknowledged).
    pub txed_rate: u8,
    /// Failed ACK attempts.
    pub ack_failures: u8,
    /// Confirm flags (bit0 aggregated, bit1 requeue, bits2-3 ack type).
    pub flags: u16,
    /// Media delay, µs.
    pub media_delay: u32,
    /// Queue delay, µs.
    pub queue_delay: u32,
}

/// Connection and power-save events (event indication 0x0805 and friends, spec §3.6, §3.8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnEvent {
    /// Event 1: BSS lost. mac80211 runs its own connection monitor; the engine also counts
    /// it for the connection-loss policy.
    BssLost {
        /// Interface id.
        if_id: u8,
    },
    /// Event 2: BSS regained.
    BssRegained {
        /// Interface id.
        if_id: u8,
    },
    /// Event 4: RCPI/RSSI threshold crossed.
    RssiThreshold {
        /// Interface id.
        if_id: u8,
        /// Low byte of the event data.
        value: u8,
    },
    /// Event 7: PS mode error; `latched` says whether power save is now latched off.
    PsModeError {
        /// Interface id.
        if_id: u8,
        /// Reason code (spec §3.8.2).
        reason: u32,
        /// Whether the engine latched power save off (reason ≠ 4).
        latched: bool,
    },
    /// Set-PM complete indication 0x0809.
    PmComplete {
        /// Interface id.
        if_id: u8,
        /// WSM status.
        status: u32,
        /// New PS mode.
        psm: u8,
    },
    /// Any other event id, passed through.
    Other {
        /// Interface id.
        if_id: u8,
        /// Event id.
        event: u32,
        /// Event data.
        data: u32,
    },
}

/// What the engine asks the host to do about a fault it cannot fix alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryRequest {
    /// Disconnect and reassociate (decrypt storm). The engine keeps running.
    Reassociate {
        /// Why.
        cause: RecoveryCause,
    },
    /// Reset the bus ([`crate::Bus::reset`]), download the firmware again and call
    /// [`crate::Engine::start`]. The engine has stopped and flushed its queues.
    ResetAndReload {
        /// Why.
        cause: RecoveryCause,
    },
}

/// Length of the firmware label in the startup indication (spec §3.6).
pub const LABEL_LEN: usize = bes2600_wire::wsm::startup::LABEL_LEN;

/// The startup indication's fields the host may want (spec §3.6, 0x0801).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupInfo {
    /// Firmware label (NUL-padded), for the debugfs `fw_version` file.
    pub label: [u8; LABEL_LEN],
    /// Firmware input buffers (the credit count).
    pub num_inp_ch_bufs: u16,
    /// Size of each input buffer.
    pub size_inp_ch_buf: u16,
    /// Hardware id.
    pub hw_id: u16,
    /// Firmware type (0 ETF … 4 platform test).
    pub fw_type: u16,
    /// Firmware API version.
    pub fw_api: u16,
    /// Firmware build number.
    pub fw_build: u16,
    /// Firmware version.
    pub fw_version: u16,
}

impl StartupInfo {
    /// The label up to its first NUL.
    pub fn label_bytes(&self) -> &[u8] {
        let end = self
            .label
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.label.len());
        self.label.get(..end).unwrap_or(&[])
    }
}

/// The host side of the engine: mac80211 in the kernel module, a harness in tests.
///
/// Every method is called from the bottom-half context inside [`crate::Engine::run`].
/// Implementations must not call back into the engine from these methods.
pub trait Host {
    /// Writes the next data frame as a complete WSM Transmit message (0x0004 header of spec
    /// §3.5 followed by the 802.11 frame; the engine stamps the sequence number) into `buf`
    /// and returns its length, or `None` when nothing is queued. Called only while a
    /// firmware credit is free, so frames stay in mac80211's queues otherwise.
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize>;

    /// As [`Self::next_tx`], and also writes into `rates` the rates mac80211's rate control
    /// chose for the frame (up to 4, best first, as `ieee80211_tx_info.control.rates`, as
    /// firmware rate numbers). The engine turns them into a rate policy of the firmware's
    /// table (spec §3.9, [`crate::txpolicy`]) and fills in the request's policy index and
    /// `maxTxRate`. The default calls `next_tx` and gives no rates: the engine then uses the
    /// one rate the request names in `maxTxRate`.
    fn next_tx_rated(
        &mut self,
        buf: &mut [u8],
        rates: &mut crate::txpolicy::TxRates,
    ) -> Option<usize> {
        let _ = rates;
        self.next_tx(buf)
    }

    /// Whether frames are waiting (used to count credit stalls). Defaults to `false`.
    fn tx_pending(&mut self) -> bool {
        false
    }

    /// Lends memory for the next RX burst of `len` bytes (whole 512-byte blocks, at most
    /// `bes2600_wire::sdio::MAX_RX_BUF`), or `None` (the default) to let the engine read
    /// into its own buffer.
    ///
    /// The engine reads the burst into the first `len` bytes of the slice (a shorter slice
    /// is not used), and the [`RxBatch`]es of that burst ([`RxBatch::lent`]) give the frames
    /// as ranges into it, so the host may pass them on by reference (page fragments in the
    /// kernel module) instead of copying them. The memory must stay unchanged from this call
    /// until the next `rx_buffer` call: the burst's batches come in between. A burst whose
    /// read fails is read again into the buffer of a later call.
    fn rx_buffer(&mut self, len: usize) -> Option<&mut [u8]> {
        let _ = len;
        None
    }

    /// Receives the data and management frames of one burst.
    fn rx_batch(&mut self, batch: &RxBatch<'_>);

    /// Reports the outcome of one transmitted frame.
    fn tx_status(&mut self, status: &TxStatus);

    /// Reports a command's completion.
    fn cmd_done(&mut self, done: &CmdDone<'_>);

    /// Scan complete indication 0x0806 (spec §3.6).
    fn scan_complete(&mut self, if_id: u8, status: u32);

    /// A connection or power-save event.
    fn event(&mut self, ev: &ConnEvent);

    /// A recovery the host must carry out.
    fn recovery(&mut self, req: &RecoveryRequest);

    /// The firmware finished start-up (startup indication received, multi-TX confirm and
    /// configuration done); station commands may now be submitted.
    fn ready(&mut self, info: &StartupInfo) {
        let _ = info;
    }

    /// Current time in ns, read for the time budget inside one `run`. The default returns
    /// `None`: only the frame budget applies.
    fn now_ns(&mut self) -> Option<u64> {
        None
    }
}

impl From<&bes2600_wire::wsm::startup::StartupInd> for StartupInfo {
    fn from(s: &bes2600_wire::wsm::startup::StartupInd) -> Self {
        Self {
            label: s.label,
            num_inp_ch_bufs: s.num_inp_ch_bufs,
            size_inp_ch_buf: s.size_inp_ch_buf,
            hw_id: s.hw_id,
            fw_type: s.fw_type.into(),
            fw_api: s.fw_api_ver,
            fw_build: s.fw_build,
            fw_version: s.fw_version,
        }
    }
}
