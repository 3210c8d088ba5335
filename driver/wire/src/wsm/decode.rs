// SPDX-License-Identifier: GPL-2.0-only
//! Dispatch of a message body to its `Repr` by message ID (spec §3.3-3.8).

use super::config::{ConfigCnf, ConfigReq, CONFIGURATION_CNF};
use super::event::EventInd;
use super::join::{BssParams, JoinCnf, JoinReq};
use super::key::{AddKey, RemoveKey};
use super::mcu::{McuReply, RfCmd};
use super::mib::{ReadMib, ReadMibCnf, WriteMib};
use super::misc::{Exception, MapLink, Reset};
use super::pm::{SetPm, SetPmInd};
use super::queue::{EdcaParams, TxQueueParams};
use super::rx::RxInd;
use super::scan::{ScanComplete, StartScan, StopScan};
use super::startup::StartupInd;
use super::status::GenericCnf;
use super::tx::{MultiTxCnf, TxCnf, TxReq};
use super::{Class, Id, Message};
use crate::Result;

/// Who sent the message: requests and MCU requests go to the device, confirms,
/// indications and MCU replies come from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Host → device (the simulated chip decodes these).
    ToDevice,
    /// Device → host (the engine decodes these).
    ToHost,
}

/// A decoded WSM message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// 0x0004.
    TxReq(TxReq<'a>),
    /// 0x0005.
    ReadMib(ReadMib),
    /// 0x0006.
    WriteMib(WriteMib<'a>),
    /// 0x0007.
    StartScan(StartScan<'a>),
    /// 0x0008.
    StopScan(StopScan),
    /// 0x0009.
    ConfigReq(ConfigReq<'a>),
    /// 0x000A.
    Reset(Reset),
    /// 0x000B.
    JoinReq(JoinReq),
    /// 0x000C.
    AddKey(AddKey),
    /// 0x000D.
    RemoveKey(RemoveKey),
    /// 0x0010.
    SetPm(SetPm),
    /// 0x0011.
    BssParams(BssParams),
    /// 0x0012.
    TxQueueParams(TxQueueParams),
    /// 0x0013.
    EdcaParams(EdcaParams),
    /// 0x001C.
    MapLink(MapLink),
    /// 0x0C27 request.
    RfCmd(RfCmd<'a>),
    /// 0x0404.
    TxCnf(TxCnf),
    /// 0x041E.
    MultiTxCnf(MultiTxCnf<'a>),
    /// 0x0405.
    ReadMibCnf(ReadMibCnf<'a>),
    /// 0x0409 with the signal-mode payload.
    ConfigCnf(ConfigCnf),
    /// 0x040B.
    JoinCnf(JoinCnf),
    /// Any other confirm (0x04xx), and 0x0409 without payload (nosignal mode).
    GenericCnf {
        /// Message ID of the confirm.
        msg_id: u16,
        /// Its status.
        cnf: GenericCnf,
    },
    /// 0x0800.
    Exception(Exception),
    /// 0x0801.
    Startup(StartupInd),
    /// 0x0804.
    Rx(RxInd<'a>),
    /// 0x0805.
    Event(EventInd),
    /// 0x0806.
    ScanComplete(ScanComplete),
    /// 0x0809.
    SetPmInd(SetPmInd),
    /// An MCU confirm or indication (0x0Cxx from the device).
    McuReply {
        /// Message ID.
        msg_id: u16,
        /// The reply.
        reply: McuReply<'a>,
    },
    /// A message this crate does not type; counted and skipped by the caller.
    Unknown {
        /// Message ID.
        msg_id: u16,
        /// Its body.
        body: &'a [u8],
    },
}

/// Decodes a body by the message ID (if_id and seq bits are ignored).
///
/// # Errors
///
/// The `parse` error of the message type.
pub fn decode(id: Id, body: &[u8], dir: Direction) -> Result<Decoded<'_>> {
    let msg_id = id.msg_id();
    Ok(match (dir, msg_id) {
        (Direction::ToDevice, TxReq::ID) => Decoded::TxReq(TxReq::parse(body)?),
        (Direction::ToDevice, ReadMib::ID) => Decoded::ReadMib(ReadMib::parse(body)?),
        (Direction::ToDevice, WriteMib::ID) => Decoded::WriteMib(WriteMib::parse(body)?),
        (Direction::ToDevice, StartScan::ID) => Decoded::StartScan(StartScan::parse(body)?),
        (Direction::ToDevice, StopScan::ID) => Decoded::StopScan(StopScan::parse(body)?),
        (Direction::ToDevice, ConfigReq::ID) => Decoded::ConfigReq(ConfigReq::parse(body)?),
        (Direction::ToDevice, Reset::ID) => Decoded::Reset(Reset::parse(body)?),
        (Direction::ToDevice, JoinReq::ID) => Decoded::JoinReq(JoinReq::parse(body)?),
        (Direction::ToDevice, AddKey::ID) => Decoded::AddKey(AddKey::parse(body)?),
        (Direction::ToDevice, RemoveKey::ID) => Decoded::RemoveKey(RemoveKey::parse(body)?),
        (Direction::ToDevice, SetPm::ID) => Decoded::SetPm(SetPm::parse(body)?),
        (Direction::ToDevice, BssParams::ID) => Decoded::BssParams(BssParams::parse(body)?),
        (Direction::ToDevice, TxQueueParams::ID) => {
            Decoded::TxQueueParams(TxQueueParams::parse(body)?)
        }
        (Direction::ToDevice, EdcaParams::ID) => Decoded::EdcaParams(EdcaParams::parse(body)?),
        (Direction::ToDevice, MapLink::ID) => Decoded::MapLink(MapLink::parse(body)?),
        (Direction::ToDevice, RfCmd::ID) => Decoded::RfCmd(RfCmd::parse(body)?),
        (Direction::ToHost, TxCnf::ID) => Decoded::TxCnf(<TxCnf as Message>::parse(body)?),
        (Direction::ToHost, MultiTxCnf::ID) => Decoded::MultiTxCnf(MultiTxCnf::parse(body)?),
        (Direction::ToHost, ReadMibCnf::ID) => Decoded::ReadMibCnf(ReadMibCnf::parse(body)?),
        (Direction::ToHost, CONFIGURATION_CNF) if body.len() >= 40 => {
            Decoded::ConfigCnf(ConfigCnf::parse(body)?)
        }
        (Direction::ToHost, JoinCnf::ID) => Decoded::JoinCnf(JoinCnf::parse(body)?),
        (Direction::ToHost, Exception::ID) => Decoded::Exception(Exception::parse(body)?),
        (Direction::ToHost, StartupInd::ID) => Decoded::Startup(StartupInd::parse(body)?),
        (Direction::ToHost, RxInd::ID) => Decoded::Rx(RxInd::parse(body)?),
        (Direction::ToHost, EventInd::ID) => Decoded::Event(EventInd::parse(body)?),
        (Direction::ToHost, ScanComplete::ID) => Decoded::ScanComplete(ScanComplete::parse(body)?),
        (Direction::ToHost, SetPmInd::ID) => Decoded::SetPmInd(SetPmInd::parse(body)?),
        (Direction::ToHost, _) if id.class() == Class::Confirm => Decoded::GenericCnf {
            msg_id,
            cnf: GenericCnf::parse(body)?,
        },
        (Direction::ToHost, _) if id.class() == Class::Vendor => Decoded::McuReply {
            msg_id,
            reply: McuReply::parse(body)?,
        },
        _ => Decoded::Unknown { msg_id, body },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::status::Status;
    use crate::Error;

    #[test]
    fn dispatch() {
        let d = decode(
            Id(0x4405),
            &[0, 0, 0, 0, 0x24, 0x10, 0, 0],
            Direction::ToHost,
        )
        .unwrap();
        assert!(matches!(d, Decoded::ReadMibCnf(_)));
        // A confirm without typed payload: generic, including nosignal 0x0409.
        let d = decode(Id(0x0409), &[1, 0, 0, 0], Direction::ToHost).unwrap();
        assert_eq!(
            d,
            Decoded::GenericCnf {
                msg_id: 0x0409,
                cnf: GenericCnf {
                    status: Status::Failure
                }
            }
        );
        let d = decode(
            Id(0x0C27),
            &[0, 0, 0, 0, 0x0F, 0, 0, 0, 3, 0, 0, 0],
            Direction::ToHost,
        )
        .unwrap();
        assert!(matches!(d, Decoded::McuReply { msg_id: 0x0C27, .. }));
        let d = decode(Id(0x0C27), &[3, 0, 0, 0], Direction::ToDevice).unwrap();
        assert!(matches!(d, Decoded::RfCmd(_)));
        let d = decode(Id(0x080B), &[], Direction::ToHost).unwrap();
        assert_eq!(
            d,
            Decoded::Unknown {
                msg_id: 0x080B,
                body: &[]
            }
        );
        // A request arriving at the host is not decoded as one.
        let d = decode(Id(0x0004), &[], Direction::ToHost).unwrap();
        assert!(matches!(d, Decoded::Unknown { .. }));
        assert_eq!(
            decode(Id(0x0805), &[1, 0, 0], Direction::ToHost),
            Err(Error::Truncated)
        );
        assert!(matches!(
            decode(Id(0x0008), &[], Direction::ToDevice),
            Ok(Decoded::StopScan(_))
        ));
    }
}
