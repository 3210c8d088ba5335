//! Configuration of the simulated chip: firmware parameters, traffic and fault knobs.

/// Capacity of the firmware RX data queue model (frames); `SimConfig::fw_rx_queue_depth`
/// may be set lower.
pub const DATA_QUEUE_CAP: usize = 512;
/// Capacity of the queue of control messages (confirms, indications, management frames).
pub const CTRL_QUEUE_CAP: usize = 64;

/// The downlink traffic generator (contracts.md, "The simulated network").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficConfig {
    /// Generate the UDP stream while the station is associated.
    pub enabled: bool,
    /// PHY rate in bits per second over virtual time (e.g. 65_000_000 for HT MCS7).
    pub phy_rate_bps: u64,
    /// UDP payload bytes per datagram (≥ 20; the 802.11 frame is 60 bytes longer).
    pub payload_len: usize,
    /// Frames that arrive together (A-MPDU size); 1 for legacy rates.
    pub ampdu: u16,
    /// Stop after this many frames (0 = no limit).
    pub max_frames: u64,
    /// hw rate index reported in RX indications (spec §3.9; 21 = HT MCS7).
    pub rate_index: u8,
}

impl TrafficConfig {
    /// HT MCS7 (65 Mb/s) saturation with 16-frame A-MPDUs and 1400-byte payloads.
    pub const SATURATION: Self = Self {
        enabled: true,
        phy_rate_bps: 65_000_000,
        payload_len: 1400,
        ampdu: 16,
        max_frames: 0,
        rate_index: 21,
    };

    /// The seed's 4 MB/s offered load (32 Mb/s) in 1400-byte payloads, 4-frame A-MPDUs.
    pub const SEED_4MBPS: Self = Self {
        enabled: true,
        phy_rate_bps: 32_000_000,
        payload_len: 1400,
        ampdu: 4,
        max_frames: 0,
        rate_index: 21,
    };

    /// No traffic.
    pub const OFF: Self = Self {
        enabled: false,
        phy_rate_bps: 0,
        payload_len: 1400,
        ampdu: 1,
        max_frames: 0,
        rate_index: 21,
    };
}

/// Random faults, each a probability in parts per million per opportunity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultConfig {
    /// CRC error per CMD53 (the access returns `BusError::Crc` and has no effect).
    pub crc_ppm: u32,
    /// Dropped confirm per WSM command (not per TX request).
    pub cmd_timeout_ppm: u32,
    /// Corrupted RX length register per read of reg 0x001 announcing data.
    pub corrupt_len_ppm: u32,
    /// Hostile mode: garbage per burst, register read and message.
    pub hostile_ppm: u32,
}

/// Everything that shapes one simulated chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// Start (and restart after `reset`) with the WSM firmware already running, skipping the
    /// boot-ROM download (a documented sim shortcut until the boot-ROM model is wired in).
    pub start_in_firmware: bool,
    /// numInpChBufs reported in the startup indication (spec §3.6, §4.3).
    pub num_inp_ch_bufs: u16,
    /// sizeInpChBuf reported in the startup indication.
    pub size_inp_ch_buf: u16,
    /// Seed of the chip's PRNG (faults, hostile bytes).
    pub seed: u64,
    /// Frames the firmware RX queue holds before it drops (≤ [`DATA_QUEUE_CAP`]).
    pub fw_rx_queue_depth: usize,
    /// Delay between WIFI_ACTIVATE and WIFI_READY + startup indication.
    pub wifi_ready_delay_ns: u64,
    /// Scan dwell per channel when the request's maxTime is 0.
    pub scan_dwell_ns: u64,
    /// The downlink stream.
    pub traffic: TrafficConfig,
    /// The AP runs static WEP (privacy bit set): data moves only once the host installed a
    /// key with add-key; without one, downlink frames arrive as NO_KEY_FOUND (status 9) and
    /// uplink frames are refused.
    pub privacy: bool,
    /// Air mode (issue 16): the built-in AP and its stream are off; the firmware's radio
    /// transmits the driver's frames and its scan probes as air records (`crate::air`) and
    /// hears what an outside medium writes back (`SimChip::air_take` / `air_give`).
    pub air: bool,
    /// Random faults.
    pub faults: FaultConfig,
    /// The boot-ROM model's configuration (used when not `start_in_firmware`).
    pub rom: crate::bootrom::Config,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            start_in_firmware: true,
            num_inp_ch_bufs: 32,
            size_inp_ch_buf: 1632,
            seed: 0x5EED_B265,
            fw_rx_queue_depth: 256,
            wifi_ready_delay_ns: 2_000_000,
            scan_dwell_ns: 20_000_000,
            traffic: TrafficConfig::OFF,
            privacy: false,
            air: false,
            faults: FaultConfig {
                crc_ppm: 0,
                cmd_timeout_ppm: 0,
                corrupt_len_ppm: 0,
                hostile_ppm: 0,
            },
            rom: crate::bootrom::Config::default(),
        }
    }
}

/// What the chip counted. Data-frame accounting: `generated == sent_to_host + queued +
/// in_burst + dropped_queue_full + dropped_reset + dropped_truncated + ps_ap_buffered +
/// dropped_ps_ap` at all times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimCounters {
    /// Stream datagrams generated by the AP.
    pub generated: u64,
    /// Stream datagrams handed to the host in a completed CMD53 read.
    pub sent_to_host: u64,
    /// Stream datagrams waiting in the firmware RX queue.
    pub queued: u64,
    /// Stream datagrams in an announced burst the host has not read yet.
    pub in_burst: u64,
    /// Dropped because the firmware RX queue was full (the host did not drain).
    pub dropped_queue_full: u64,
    /// Dropped by a reset or WIFI deactivate (queue flushed).
    pub dropped_reset: u64,
    /// Cut off by a CMD53 read shorter than the announced burst.
    pub dropped_truncated: u64,
    /// RX bursts read by the host.
    pub bursts: u64,
    /// Messages in those bursts.
    pub burst_msgs: u64,
    /// Bytes moved to the host by CMD53 reads of bursts.
    pub bytes_to_host: u64,
    /// CMD52 accesses (reads + writes).
    pub cmd52: u64,
    /// CMD53 reads.
    pub cmd53_reads: u64,
    /// CMD53 writes.
    pub cmd53_writes: u64,
    /// CRC errors injected.
    pub crc_injected: u64,
    /// CMD53s refused for a wrong toggle bit (spec §1.3).
    pub toggle_errors: u64,
    /// CMD53 reads with nothing announced.
    pub empty_reads: u64,
    /// Host messages whose sequence number was not the expected one (spec §3.2).
    pub host_seq_errors: u64,
    /// Host messages sent with no firmware buffer free (a host credit bug, spec §4.3).
    pub credit_overruns: u64,
    /// Highest number of host messages outstanding (unconfirmed) at once.
    pub max_outstanding: u64,
    /// Malformed host transfers or messages (bad slot layout, bad length, unknown id).
    pub host_malformed: u64,
    /// WSM commands received (not TX requests).
    pub commands: u64,
    /// Confirms dropped by fault injection (command timeouts).
    pub confirms_dropped: u64,
    /// TX requests (0x0004) received.
    pub tx_requests: u64,
    /// TX requests confirmed.
    pub tx_confirmed: u64,
    /// UDP datagrams the AP sank (station → 192.0.2.1).
    pub ap_udp_rx: u64,
    /// ARP replies the AP sent.
    pub ap_arp_replies: u64,
    /// Other frames the station sent to the AP.
    pub ap_other_rx: u64,
    /// Beacons sent while joined.
    pub beacons: u64,
    /// Scans completed.
    pub scans: u64,
    /// Associations granted.
    pub assocs: u64,
    /// Deauthentications the AP sent.
    pub ap_deauths: u64,
    /// RX indications with status 4 (decrypt failure) sent.
    pub decrypt_fail_sent: u64,
    /// BSS-lost events (0x0805 id 1) sent.
    pub bss_lost_sent: u64,
    /// Garbage messages, bursts and register values emitted in hostile mode.
    pub hostile_events: u64,
    /// Stream datagrams packed behind a hostile garbage message in the same burst (sent,
    /// but unreachable for any parser).
    pub hostile_tainted: u64,
    /// Control messages dropped because the control queue was full.
    pub ctrl_overflow: u64,
    /// Chip resets (power cycles).
    pub resets: u64,
    /// Startup indications sent.
    pub startups: u64,
    /// Add-key requests accepted (spec §3.4).
    pub keys_installed: u64,
    /// Remove-key requests accepted.
    pub keys_removed: u64,
    /// Add/remove-key requests refused (entry out of range or not in use).
    pub keys_refused: u64,
    /// Keys in the firmware key table now.
    pub keys_in_table: u64,
    /// Protected frames (privacy AP) the firmware decrypted for the host.
    pub rx_decrypted: u64,
    /// Protected frames passed up as NO_KEY_FOUND (no key installed).
    pub rx_no_key: u64,
    /// Uplink frames the privacy AP refused: unprotected data, or protected with no key.
    pub ap_refused: u64,
    /// Air mode: frames the radio transmitted (driver TX requests and scan probes).
    pub air_tx: u64,
    /// Air mode: frames not transmitted because nobody drained the air endpoint (TX status
    /// retry limit, as a real radio reports a frame it could not get out).
    pub air_tx_dropped: u64,
    /// Air mode: frames heard from air and passed to the host.
    pub air_rx: u64,
    /// Air mode: frames heard but not for us (another channel, BSS or station, control
    /// frames, or nothing tuned).
    pub air_rx_filtered: u64,
    /// Air mode: frames for us dropped because the RX buffers were full.
    pub air_rx_overflow: u64,
    /// Air mode: frames too long for one RX indication (spec §1.6 message size).
    pub air_rx_too_long: u64,
    /// Air mode: records with a bad length, flags or reserved field (a record cut by the end
    /// of a write is the rest of a partial write, not counted).
    pub air_malformed: u64,
    /// Air mode: acknowledgements the medium reported for frames the radio sent (records
    /// written back with the acked flag; not frames to receive).
    pub air_acked: u64,
    /// Configurations whose SDD the firmware accepted (spec §3.10).
    pub sdd_accepted: u64,
    /// Configurations refused for an empty or malformed SDD.
    pub sdd_refused: u64,
    /// Length of the last SDD accepted, in bytes.
    pub sdd_bytes: u64,
    /// Rate policies the host uploaded (records of MIB 0x1016 writes, spec §3.9).
    pub policies_uploaded: u64,
    /// TX requests failed for naming a policy never uploaded or a rate outside it.
    pub tx_policy_refused: u64,
    /// Firmware rate numbers TX confirms reported: bit n = rate n (spec §3.9).
    pub txed_rates_seen: u64,
    /// The rate the last TX confirm reported.
    pub txed_rate_last: u64,
    /// Power save (`crate::ps`): stream datagrams the AP holds for the dozing station.
    pub ps_ap_buffered: u64,
    /// Stream datagrams the AP dropped: its power-save buffer was full, or the station it
    /// held them for left.
    pub dropped_ps_ap: u64,
    /// Firmware time with the receiver on, in ns (all of it outside power save).
    pub ps_awake_ns: u64,
    /// Firmware time with the receiver off (dozing), in ns.
    pub ps_doze_ns: u64,
    /// Set-PM requests (0x0010) received.
    pub ps_set_pm: u64,
    /// The mode byte of the last set-PM (0 active, 0x01 PS, 0x81 fast PS).
    pub ps_mode: u64,
    /// Doze-to-awake transitions.
    pub ps_wakeups: u64,
    /// Beacons the dozing station did not wake for (not passed to the host).
    pub ps_beacons_slept: u64,
    /// Beacons whose TIM announced buffered frames to the station in PS.
    pub ps_tim_seen: u64,
    /// PS-poll exchanges (legacy PS).
    pub ps_polls: u64,
    /// Null-data frames with PM=1 (the station enters PS at the AP).
    pub ps_nulls_doze: u64,
    /// Null-data frames with PM=0 (the station leaves PS at the AP to fetch its frames).
    pub ps_nulls_wake: u64,
}

impl SimCounters {
    /// Whether every generated datagram is delivered, queued or a counted drop.
    pub fn accounted(&self) -> bool {
        self.generated
            == self.sent_to_host
                + self.queued
                + self.in_burst
                + self.dropped_queue_full
                + self.dropped_reset
                + self.dropped_truncated
                + self.ps_ap_buffered
                + self.dropped_ps_ap
    }

    /// All data drops the chip counted.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full + self.dropped_reset + self.dropped_truncated + self.dropped_ps_ap
    }
}
