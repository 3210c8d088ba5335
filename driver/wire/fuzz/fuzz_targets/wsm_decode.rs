// SPDX-License-Identifier: GPL-2.0-only
//! Fuzzes the WSM header and the dispatch to every message `Repr` (spec §3).
//!
//! Byte 0 selects the direction; the rest is one message. Property: whatever parses,
//! re-emitted and parsed again, gives the same `Repr` (`parse(emit(parse(b))) == parse(b)`).
#![no_main]

use bes2600_wire::wsm::config::{ConfigCnf, ConfigReq};
use bes2600_wire::wsm::event::EventInd;
use bes2600_wire::wsm::join::{BssParams, JoinCnf, JoinReq};
use bes2600_wire::wsm::key::{AddKey, RemoveKey};
use bes2600_wire::wsm::mcu::RfCmd;
use bes2600_wire::wsm::mib::{ReadMib, ReadMibCnf, WriteMib};
use bes2600_wire::wsm::misc::{Exception, MapLink, Reset};
use bes2600_wire::wsm::pm::{SetPm, SetPmInd};
use bes2600_wire::wsm::queue::{EdcaParams, TxQueueParams};
use bes2600_wire::wsm::rx::RxInd;
use bes2600_wire::wsm::scan::{ScanComplete, StartScan, StopScan};
use bes2600_wire::wsm::startup::StartupInd;
use bes2600_wire::wsm::tx::{MultiTxCnf, TxCnf, TxReq};
use bes2600_wire::wsm::{self, decode, Decoded, Direction, Message, SeqState};
use libfuzzer_sys::fuzz_target;

/// Emits `$r` as a whole message, splits and parses it as `$t` again, and compares. A macro
/// because the re-parsed value borrows a local buffer (another lifetime of the same type).
macro_rules! rt {
    ($r:expr, $t:ident) => {{
        let r = $r;
        let mut buf = vec![0xa5u8; wsm::HEADER_LEN + Message::buffer_len(&r)];
        let n = wsm::emit(&r, 0, &mut buf).expect("emit into an exact buffer");
        assert_eq!(n, buf.len());
        let (id, body) = wsm::split(&buf).expect("own message splits");
        assert_eq!(id.msg_id(), <$t as Message>::ID);
        let again = <$t as Message>::parse(body).expect("own message parses");
        assert_eq!(again, r);
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&dir, msg)) = data.split_first() else {
        return;
    };
    let dir = if dir & 1 == 0 {
        Direction::ToHost
    } else {
        Direction::ToDevice
    };
    let Ok((id, body)) = wsm::split(msg) else {
        return;
    };
    let mut seq = SeqState::new();
    let _ = seq.check_rx(id);
    let Ok(d) = decode(id, body, dir) else { return };
    match d {
        Decoded::TxReq(r) => rt!(r, TxReq),
        Decoded::ReadMib(r) => rt!(r, ReadMib),
        Decoded::WriteMib(r) => rt!(r, WriteMib),
        Decoded::StartScan(r) => rt!(r, StartScan),
        Decoded::StopScan(r) => rt!(r, StopScan),
        Decoded::ConfigReq(r) => rt!(r, ConfigReq),
        Decoded::Reset(r) => rt!(r, Reset),
        Decoded::JoinReq(r) => rt!(r, JoinReq),
        Decoded::AddKey(r) => rt!(r, AddKey),
        Decoded::RemoveKey(r) => rt!(r, RemoveKey),
        Decoded::SetPm(r) => rt!(r, SetPm),
        Decoded::BssParams(r) => rt!(r, BssParams),
        Decoded::TxQueueParams(r) => rt!(r, TxQueueParams),
        Decoded::EdcaParams(r) => rt!(r, EdcaParams),
        Decoded::MapLink(r) => rt!(r, MapLink),
        Decoded::RfCmd(r) => rt!(r, RfCmd),
        Decoded::TxCnf(r) => rt!(r, TxCnf),
        Decoded::MultiTxCnf(r) => rt!(r, MultiTxCnf),
        Decoded::ReadMibCnf(r) => {
            if let Ok(m) = r.mib() {
                rt!(WriteMib { mib: m }, WriteMib);
            }
            rt!(r, ReadMibCnf);
        }
        Decoded::ConfigCnf(r) => rt!(r, ConfigCnf),
        Decoded::JoinCnf(r) => rt!(r, JoinCnf),
        Decoded::Exception(r) => rt!(r, Exception),
        Decoded::Startup(r) => rt!(r, StartupInd),
        Decoded::Rx(r) => rt!(r, RxInd),
        Decoded::Event(r) => rt!(r, EventInd),
        Decoded::ScanComplete(r) => rt!(r, ScanComplete),
        Decoded::SetPmInd(r) => rt!(r, SetPmInd),
        Decoded::GenericCnf { cnf, .. } => {
            let mut b = [0u8; 4];
            cnf.emit(&mut b);
            assert_eq!(wsm::status::GenericCnf::parse(&b), Ok(cnf));
        }
        Decoded::McuReply { reply, .. } => {
            let mut b = vec![0u8; reply.buffer_len()];
            reply.emit(&mut b);
            assert_eq!(wsm::mcu::McuReply::parse(&b), Ok(reply));
        }
        Decoded::Unknown { .. } => {}
    }
});
