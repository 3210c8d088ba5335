//! The WIFI activate handshake of spec §1.9 as a non-blocking state machine: each `run`
//! does at most one doorbell or one status read, and asks to be called again after the
//! handshake's delay.

use core::borrow::Borrow;

use bes2600_wire::sdio::regs::{
    Handshake, HostInt, SlaveStatus, HANDSHAKE_MAX_TRIES, SLAVE_STATUS,
};

use crate::bus::{Bus, BusError};
use bes2600_wire::wsm::config::{ConfigReq, DPD_FLAGS, DPD_VERSION};
use bes2600_wire::wsm::mib::{Mib, WriteMib};
use bes2600_wire::wsm::Message;

use crate::cmd::CmdQueue;
use crate::engine::{with_retries, Core, Engine, Fault, FwMode, Phase};
use crate::policy::MS_NS;
use crate::shared::{RecoveryCause, Shared};

/// CMD52 accesses retry up to 30 times in all (spec §1.4 "safe" access).
const REG_RETRIES: u32 = 29;

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// One step of the MCU_READY poll or the WIFI activate handshake.
    pub(crate) fn handshake<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        now_ns: u64,
    ) -> Result<(), Fault> {
        if now_ns < self.core.phase_at_ns {
            return Ok(());
        }
        let shared: &Shared = self.shared.borrow();
        let hs = Handshake::WIFI_ACTIVATE;
        let read_status = |bus: &mut B| {
            with_retries(shared, REG_RETRIES, || bus.read_reg8(SLAVE_STATUS))
                .map(SlaveStatus)
                .map_err(|_| Fault(RecoveryCause::BusError))
        };
        let c = &mut self.core;
        match c.phase {
            Phase::McuReady => {
                // Spec §1.9 step 1 (unbounded in C; bounded here, spec §7 #26).
                let st = read_status(bus)?;
                if st.has(SlaveStatus::MCU_READY) {
                    c.phase = Phase::Activate;
                    c.phase_tries = 0;
                    c.doorbell_sent = false;
                    c.phase_at_ns = now_ns;
                    return self.handshake(bus, now_ns);
                }
                c.phase_tries += 1;
                if c.phase_tries >= c.policy.mcu_ready_polls {
                    return Err(Fault(RecoveryCause::FwHang));
                }
                c.phase_at_ns = now_ns.saturating_add(c.policy.activate_poll_ns);
            }
            Phase::Activate => {
                if !c.doorbell_sent {
                    // Spec §1.4: high byte first, then the low byte raises the interrupt.
                    for (reg, val) in HostInt::command(hs.cmd).writes() {
                        with_retries(shared, REG_RETRIES, || bus.write_reg8(reg, val))
                            .map_err(|_| Fault(RecoveryCause::BusError))?;
                    }
                    c.doorbell_sent = true;
                    let delay = u64::from(hs.delay_ms).saturating_mul(MS_NS);
                    c.phase_at_ns = now_ns.saturating_add(delay.max(c.policy.activate_poll_ns));
                    return Ok(());
                }
                let st = read_status(bus)?;
                if hs.confirmed(st) {
                    c.phase = Phase::WaitStartup;
                    c.phase_at_ns = now_ns.saturating_add(c.policy.startup_timeout_ns);
                    // The startup indication arrives as RX; look for it now.
                    c.rx_pending = true;
                    return Ok(());
                }
                c.phase_tries += 1;
                if c.phase_tries >= c.policy.activate_attempts {
                    return Err(Fault(RecoveryCause::FwHang));
                }
                c.doorbell_sent = false;
                c.phase_at_ns = now_ns;
                return self.handshake(bus, now_ns);
            }
            _ => {}
        }
        Ok(())
    }
}

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// WIFI deactivate (spec §1.9, §3.1 step 6): doorbell with WIFI_DEACTIVATE, then up to
    /// 200 status polls `sleep_ns` apart until WIFI_READY clears. Call it after
    /// [`Engine::stop`], from the context that owns the bus; it blocks through `sleep_ns`.
    ///
    /// Returns whether the chip confirmed. As in C, a chip that never confirms is not an
    /// error (the caller goes on tearing down); in nosignal mode nothing is sent at all.
    ///
    /// # Errors
    ///
    /// The bus error of a register access that failed after its retries.
    pub fn deactivate<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        mut sleep_ns: impl FnMut(u64),
    ) -> Result<bool, BusError> {
        if self.core.mode == FwMode::NoSignal {
            return Ok(true);
        }
        let shared: &Shared = self.shared.borrow();
        let hs = Handshake::WIFI_DEACTIVATE;
        let delay = u64::from(hs.delay_ms).saturating_mul(MS_NS);
        for _ in 0..HANDSHAKE_MAX_TRIES {
            for (reg, val) in HostInt::command(hs.cmd).writes() {
                with_retries(shared, REG_RETRIES, || bus.write_reg8(reg, val))?;
            }
            sleep_ns(delay);
            let st = with_retries(shared, REG_RETRIES, || bus.read_reg8(SLAVE_STATUS))?;
            if hs.confirmed(SlaveStatus(st)) {
                // Spec §1.3: the toggles restart at 0 after WIFI deactivate.
                self.core.toggles.reset();
                return Ok(true);
            }
        }
        self.core.toggles.reset();
        Ok(false)
    }
}

impl<const CQ: usize> Core<CQ> {
    /// Queues the start-up commands after the startup indication (spec §3.1 steps 3, 5):
    /// MIB 0x1024 = 1 for interfaces 0 and 1 in signal mode, then Configuration 0x0009 for
    /// both with the SDD blob.
    pub(crate) fn queue_startup_cmds(&mut self, sdd: &[u8]) -> Result<(), Fault> {
        let mut n = 0u8;
        if self.mode == FwMode::Signal {
            let mib = WriteMib {
                mib: Mib::UseMultiTxConf(true),
            };
            for if_id in 0..2u8 {
                self.push_internal(&mib, if_id)?;
                n += 1;
            }
        }
        let [max_tx_msdu_lifetime, max_rx_lifetime, rts_threshold] = self.lifetimes;
        for if_id in 0..2u8 {
            let conf = ConfigReq {
                max_tx_msdu_lifetime,
                max_rx_lifetime,
                rts_threshold,
                dpd_version: DPD_VERSION,
                mac: self.macs.get(usize::from(if_id)).copied().unwrap_or([0; 6]),
                dpd_flags: DPD_FLAGS,
                sdd,
            };
            self.push_internal(&conf, if_id)?;
            n += 1;
        }
        self.config_left = n;
        Ok(())
    }

    /// Queues one internal command built by the wire crate (start-up, policy upload).
    pub(crate) fn push_internal<'m, M: Message<'m>>(
        &mut self,
        m: &M,
        if_id: u8,
    ) -> Result<(), Fault> {
        let t = CmdQueue::<CQ>::timeout_for(M::ID, &self.policy);
        self.cmds
            .push_with(M::ID, if_id, 0, t, true, |body| {
                let out = body.get_mut(..m.buffer_len())?;
                m.emit(out);
                Some(out.len())
            })
            .map_err(|_| Fault(RecoveryCause::FwHang))
    }
}
