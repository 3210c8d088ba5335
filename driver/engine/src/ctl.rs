//! Station control API: each call queues one WSM request (spec §3.3) and its completion
//! comes back through [`crate::Host::cmd_done`] with the caller's tag.
//!
//! Payloads are built with `bes2600_wire::wsm` message types ([`Engine::submit_msg`]) or
//! passed as bytes ([`Engine::submit`]). The named helpers pin the request number so a
//! caller cannot send a join as an add-key.

use core::borrow::Borrow;

use bes2600_wire::wsm::Message;

use crate::cmd::{id, SubmitError};
use crate::engine::{Engine, Phase};
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
        self.shared().on_tx();
        Ok(())
    }

    /// Configuration 0x0009 (payload per spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn configuration(
        &mut self,
        if_id: u8,
        tag: u32,
        payload: &[u8],
    ) -> Result<(), SubmitError> {
        self.submit(id::CONFIGURATION, if_id, tag, payload)
    }

    /// Join 0x000B (60-byte payload, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn join(&mut self, if_id: u8, tag: u32, payload: &[u8]) -> Result<(), SubmitError> {
        self.submit(id::JOIN, if_id, tag, payload)
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
        payload: &[u8],
    ) -> Result<(), SubmitError> {
        self.submit(id::SET_BSS_PARAMS, if_id, tag, payload)
    }

    /// Add key 0x000C (44-byte union, spec §3.4).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn add_key(&mut self, if_id: u8, tag: u32, payload: &[u8]) -> Result<(), SubmitError> {
        self.submit(id::ADD_KEY, if_id, tag, payload)
    }

    /// Remove key 0x000D: entry index, 3 pad bytes (spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn remove_key(&mut self, if_id: u8, tag: u32, entry: u8) -> Result<(), SubmitError> {
        self.submit(id::REMOVE_KEY, if_id, tag, &[entry, 0, 0, 0])
    }

    /// Start scan 0x0007 (spec §3.3). Results arrive as RX frames with interface id 2, then
    /// [`crate::Host::scan_complete`].
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn start_scan(&mut self, if_id: u8, tag: u32, payload: &[u8]) -> Result<(), SubmitError> {
        self.submit(id::START_SCAN, if_id, tag, payload)
    }

    /// Stop scan 0x0008 (empty payload).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn stop_scan(&mut self, if_id: u8, tag: u32) -> Result<(), SubmitError> {
        self.submit(id::STOP_SCAN, if_id, tag, &[])
    }

    /// Set PM 0x0010: mode (0 active, 0x01 PS, 0x81 fast PS), fast-PSM idle period, AP PSM
    /// change period, min auto PS-poll period (spec §3.3). While power save is latched off
    /// (PS mode error) a non-active request completes as [`crate::CmdResult::Skipped`].
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_pm(&mut self, if_id: u8, tag: u32, payload: [u8; 4]) -> Result<(), SubmitError> {
        self.submit(id::SET_PM, if_id, tag, &payload)
    }

    /// Reset 0x000A: `keep_stats` false resets statistics (flags 0), true keeps them (1).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn reset(&mut self, if_id: u8, tag: u32, keep_stats: bool) -> Result<(), SubmitError> {
        self.submit(id::RESET, if_id, tag, &u32::from(keep_stats).to_le_bytes())
    }

    /// Read MIB 0x0005: u16 MIB id, u16 0 (spec §3.3). The value comes back in the
    /// completion's body.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn read_mib(&mut self, if_id: u8, tag: u32, mib: u16) -> Result<(), SubmitError> {
        let [a, b] = mib.to_le_bytes();
        self.submit(id::READ_MIB, if_id, tag, &[a, b, 0, 0])
    }

    /// Write MIB 0x0006: u16 MIB id, u16 length, data (spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn write_mib(
        &mut self,
        if_id: u8,
        tag: u32,
        mib: u16,
        data: &[u8],
    ) -> Result<(), SubmitError> {
        let len = u16::try_from(data.len()).map_err(|_| SubmitError::TooLarge)?;
        if self.core.phase != Phase::Running {
            return Err(SubmitError::NotRunning);
        }
        let timeout = crate::cmd::CmdQueue::<CQ>::timeout_for(id::WRITE_MIB, &self.core.policy);
        self.core
            .cmds
            .push_with(id::WRITE_MIB, if_id, tag, timeout, false, |body| {
                let end = data.len().checked_add(4)?;
                let out = body.get_mut(..end)?;
                out[0..2].copy_from_slice(&mib.to_le_bytes());
                out[2..4].copy_from_slice(&len.to_le_bytes());
                out[4..].copy_from_slice(data);
                Some(end)
            })?;
        self.shared().on_tx();
        Ok(())
    }

    /// Map link 0x001C: MAC, unmap flag, link id (BES form, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn map_link(
        &mut self,
        if_id: u8,
        tag: u32,
        mac: [u8; 6],
        unmap: bool,
        link_id: u8,
    ) -> Result<(), SubmitError> {
        let [a, b, c, d, e, f] = mac;
        self.submit(
            id::MAP_LINK,
            if_id,
            tag,
            &[a, b, c, d, e, f, u8::from(unmap), link_id],
        )
    }

    /// Set TX queue params 0x0012 (12 bytes, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_tx_queue_params(
        &mut self,
        if_id: u8,
        tag: u32,
        payload: &[u8],
    ) -> Result<(), SubmitError> {
        self.submit(id::SET_TX_QUEUE_PARAMS, if_id, tag, payload)
    }

    /// Set EDCA params 0x0013 (44 bytes, queue order 3,2,1,0, spec §3.3).
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn set_edca_params(
        &mut self,
        if_id: u8,
        tag: u32,
        payload: &[u8],
    ) -> Result<(), SubmitError> {
        self.submit(id::SET_EDCA_PARAMS, if_id, tag, payload)
    }
}
