//! Station control API: each call queues one WSM request (spec §3.3) and its completion
//! comes back through [`crate::Host::cmd_done`] with the caller's tag.
//!
//! Requests are `bes2600_wire::wsm` message types, emitted straight into the command queue
//! ([`Engine::submit_msg`]); [`Engine::submit`] takes raw payload bytes for anything else.

use core::borrow::Borrow;

use bes2600_wire::wsm::config::ConfigReq;
use bes2600_wire::wsm::join::{BssParams, JoinReq};
use bes2600_wire::wsm::key::{AddKey, RemoveKey};
use bes2600_wire::wsm::mib::{ReadMib, WriteMib};
use bes2600_wire::wsm::misc::{MapLink, Reset};
use bes2600_wire::wsm::pm::SetPm;
use bes2600_wire::wsm::queue::{EdcaParams, TxQueueParams};
use bes2600_wire::wsm::scan::{StartScan, StopScan};
use bes2600_wire::wsm::Message;

use bes2600_wire::wsm::assoc::WriteAssocMib;
use bes2600_wire::wsm::config::{DPD_FLAGS, DPD_VERSION};

use crate::cmd::SubmitError;
use crate::engine::{Engine, Phase};
use crate::mac::bss::{null_template, Cmd, NULL_FRAME_LEN};
use crate::shared::Shared;

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// Queues any wire message type as a command for interface `if_id`.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn submit_msg<'m, M: Message<'m>>(
        &mut self,
        m: &M,
        if_id: u8,
        tag: u32,
    ) -> Result<(), SubmitError> {
        if self.core.phase != Phase::Running {
            return Err(SubmitError::NotRunning);
        }
        let timeout = crate::cmd::CmdQueue::<CQ>::timeout_for(M::ID, &self.core.policy);
        self.core
            .cmds
            .push_with(M::ID, if_id, tag, timeout, false, |body| {
                let out = body.get_mut(..m.buffer_len())?;
                m.emit(out);
                Some(out.len())
            })?;
        // The typed path once forgot this: a Reset sent with `reset()` left the policy
        // cache believing the firmware still held its table, so every frame after it named
        // a policy the firmware no longer had (seen when roaming, e2e phase 74).
        self.submitted(M::ID);
        Ok(())
    }

    /// Configuration 0x0009 (spec §3.3). The engine already sends it for interfaces 0 and
    /// 1 at start-up; this is for a reconfiguration.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn configuration(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &ConfigReq<'_>,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Join 0x000B (spec §3.3); 7 s timeout (spec §3.11).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn join(&mut self, if_id: u8, tag: u32, req: &JoinReq) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Set BSS params 0x0011 (12-byte BES form, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_bss_params(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &BssParams,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Add key 0x000C (44-byte union, spec §3.4).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn add_key(&mut self, if_id: u8, tag: u32, req: &AddKey) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Remove key 0x000D (spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn remove_key(&mut self, if_id: u8, tag: u32, entry: u8) -> Result<(), SubmitError> {
        self.submit_msg(&RemoveKey { entry_index: entry }, if_id, tag)
    }

    /// Start scan 0x0007 (spec §3.3). Results arrive as RX frames with interface id 2, then
    /// [`crate::Host::scan_complete`].
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn start_scan(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &StartScan<'_>,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Stop scan 0x0008.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn stop_scan(&mut self, if_id: u8, tag: u32) -> Result<(), SubmitError> {
        self.submit_msg(&StopScan, if_id, tag)
    }

    /// Set PM 0x0010 (spec §3.3). While power save is latched off (PS mode error, spec
    /// §3.8.2) a request for a power-save mode completes as [`crate::CmdResult::Skipped`]
    /// without reaching the firmware; `Active` is always sent.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_pm(&mut self, if_id: u8, tag: u32, req: &SetPm) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Reset 0x000A (spec §3.3); 7 s timeout. The firmware forgets its rate policies.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn reset(&mut self, if_id: u8, tag: u32, keep_statistics: bool) -> Result<(), SubmitError> {
        self.submit_msg(&Reset { keep_statistics }, if_id, tag)
    }

    /// Read MIB 0x0005; the value comes back in the completion's body (spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn read_mib(&mut self, if_id: u8, tag: u32, mib_id: u16) -> Result<(), SubmitError> {
        self.submit_msg(&ReadMib { mib_id }, if_id, tag)
    }

    /// Write MIB 0x0006 (spec §3.3, §3.10).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn write_mib(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &WriteMib<'_>,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Map link 0x001C (BES form, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn map_link(&mut self, if_id: u8, tag: u32, req: &MapLink) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Set TX queue params 0x0012 (spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_tx_queue_params(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &TxQueueParams,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// Set EDCA params 0x0013 (queue order 3,2,1,0, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_edca_params(
        &mut self,
        if_id: u8,
        tag: u32,
        req: &EdcaParams,
    ) -> Result<(), SubmitError> {
        self.submit_msg(req, if_id, tag)
    }

    /// One command of a `bss_info_changed` plan ([`crate::mac::bss`]).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn submit_bss_cmd(&mut self, if_id: u8, tag: u32, cmd: &Cmd) -> Result<(), SubmitError> {
        match cmd {
            Cmd::BssParams(b) => self.submit_msg(b, if_id, tag),
            Cmd::Mib(m) => self.submit_msg(&WriteAssocMib(*m), if_id, tag),
            Cmd::StdMib(m) => self.submit_msg(&WriteMib { mib: *m }, if_id, tag),
            Cmd::NullTemplate { bssid, addr } => {
                let mut buf = [0u8; NULL_FRAME_LEN];
                let m = null_template(&mut buf, bssid, addr);
                self.submit_msg(&WriteAssocMib(m), if_id, tag)
            }
        }
    }

    /// Gives interface `if_id` a new station address: Configuration 0x0009 again, with the
    /// start-up SDD and lifetimes and `mac` as dot11StationId (spec §3.3).
    ///
    /// The vendor driver configures the permanent address at start and refuses an interface
    /// with any other (`C:sta.c:174, 1977`, `C:sta.c:322-330`); a randomised address
    /// (wpa_supplicant `mac_addr=1`) needs the firmware told, so the module re-sends the
    /// Configuration with it before anything else uses the interface.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`]; a refusal comes back as the confirm's status.
    pub fn set_station_mac(
        &mut self,
        if_id: u8,
        tag: u32,
        mac: [u8; 6],
    ) -> Result<(), SubmitError> {
        if self.core.phase != Phase::Running {
            return Err(SubmitError::NotRunning);
        }
        let [max_tx_msdu_lifetime, max_rx_lifetime, rts_threshold] = self.core.lifetimes;
        // The SDD lives in `bufs`, the queue in `core`: disjoint borrows.
        let sdd = self.bufs.sdd.get(..self.core.sdd_len).unwrap_or(&[]);
        let conf = ConfigReq {
            max_tx_msdu_lifetime,
            max_rx_lifetime,
            rts_threshold,
            dpd_version: DPD_VERSION,
            mac,
            dpd_flags: DPD_FLAGS,
            sdd,
        };
        let timeout = crate::cmd::CmdQueue::<CQ>::timeout_for(ConfigReq::ID, &self.core.policy);
        self.core
            .cmds
            .push_with(ConfigReq::ID, if_id, tag, timeout, false, |body| {
                let out = body.get_mut(..conf.buffer_len())?;
                conf.emit(out);
                Some(out.len())
            })?;
        // A later firmware restart configures the new address too.
        if let Some(m) = self.core.macs.get_mut(usize::from(if_id)) {
            *m = mac;
        }
        self.shared().on_tx();
        Ok(())
    }
}
