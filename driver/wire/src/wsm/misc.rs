// SPDX-License-Identifier: GPL-2.0-only
//! Reset 0x000A, map link 0x001C and the exception indication 0x0800 (spec §3.3, §3.6).

use super::common::MacAddr;
use super::Message;
use crate::field::{le32, set_le32};
use crate::{Error, Result};

/// ID of the reset request. The link id goes into ID bits 6-9 (`wsm::emit`'s `if_id`).
pub const RESET_REQ: u16 = 0x000A;
/// ID of the map-link request.
pub const MAP_LINK_REQ: u16 = 0x001C;
/// ID of the exception indication; exempt from the seq check (spec §3.2).
pub const EXCEPTION_IND: u16 = 0x0800;

/// Reset 0x000A: `u32 flags`, 0 = reset statistics, 1 = keep (spec §3.3). The firmware
/// forgets its rate-policy table on reset (§7 #16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reset {
    /// Keep statistics (flags 1) instead of clearing them (flags 0).
    pub keep_statistics: bool,
}

impl<'a> Message<'a> for Reset {
    const ID: u16 = RESET_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        match le32(crate::field::take(body, 4)?) {
            0 => Ok(Reset {
                keep_statistics: false,
            }),
            1 => Ok(Reset {
                keep_statistics: true,
            }),
            _ => Err(Error::BadValue),
        }
    }

    fn buffer_len(&self) -> usize {
        4
    }

    fn emit(&self, body: &mut [u8]) {
        set_le32(body, u32::from(self.keep_statistics));
    }
}

view! {
    /// View of a map-link body (BES "cw1260" form, spec §3.3).
    pub struct MapLinkView;
    min_len = 8;
    /// Peer MAC.
    mac / set_mac: [u8; 6] = 0;
    /// 1 = unmap.
    unmap / set_unmap: u8 = 6;
    /// Link id.
    link_id / set_link_id: u8 = 7;
}

/// Map link 0x001C (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MapLink {
    /// Peer MAC.
    pub mac: MacAddr,
    /// Unmap instead of map.
    pub unmap: bool,
    /// Link id.
    pub link_id: u8,
}

impl<'a> Message<'a> for MapLink {
    const ID: u16 = MAP_LINK_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = MapLinkView::new_checked(body)?;
        let unmap = match v.unmap() {
            0 => false,
            1 => true,
            _ => return Err(Error::BadValue),
        };
        Ok(MapLink {
            mac: v.mac(),
            unmap,
            link_id: v.link_id(),
        })
    }

    fn buffer_len(&self) -> usize {
        8
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = MapLinkView::new_unchecked(body);
        v.set_mac(self.mac);
        v.set_unmap(u8::from(self.unmap));
        v.set_link_id(self.link_id);
    }
}

/// Kind of a firmware exception (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// 0: undefined instruction.
    UndefinedInstruction,
    /// 1: prefetch abort.
    PrefetchAbort,
    /// 2: data abort.
    DataAbort,
    /// 3: unknown.
    Unknown,
    /// 4 and above: assertion; `regs[1]` is the line.
    Assert,
}

/// Size of the exception body: reason, 18 registers, 48-byte file name (spec §3.6).
pub const EXCEPTION_LEN: usize = 4 + 18 * 4 + 48;

/// Exception indication 0x0800 (spec §3.6). Always ends in recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exception {
    /// Reason code.
    pub reason: u32,
    /// R0-R12, SP, LR, PC, CPSR, SPSR.
    pub regs: [u32; 18],
    /// Source file name, NUL padded.
    pub file: [u8; 48],
}

impl Exception {
    /// The kind of exception.
    pub const fn kind(&self) -> ExceptionKind {
        match self.reason {
            0 => ExceptionKind::UndefinedInstruction,
            1 => ExceptionKind::PrefetchAbort,
            2 => ExceptionKind::DataAbort,
            3 => ExceptionKind::Unknown,
            _ => ExceptionKind::Assert,
        }
    }

    /// The file name up to its first NUL.
    pub fn file_name(&self) -> &[u8] {
        let end = self
            .file
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.file.len());
        &self.file[..end]
    }
}

impl<'a> Message<'a> for Exception {
    const ID: u16 = EXCEPTION_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let b = crate::field::take(body, EXCEPTION_LEN)?;
        let mut regs = [0u32; 18];
        for (r, c) in regs.iter_mut().zip(b[4..76].chunks_exact(4)) {
            *r = le32(c);
        }
        Ok(Exception {
            reason: le32(b),
            regs,
            file: crate::field::LeField::read(&b[76..]),
        })
    }

    fn buffer_len(&self) -> usize {
        EXCEPTION_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        set_le32(body, self.reason);
        for (r, c) in self.regs.iter().zip(body[4..76].chunks_exact_mut(4)) {
            set_le32(c, *r);
        }
        body[76..EXCEPTION_LEN].copy_from_slice(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn reset_golden() {
        check_golden(
            &Reset {
                keep_statistics: true,
            },
            &[1, 0, 0, 0],
            4,
        );
        check_golden(
            &Reset {
                keep_statistics: false,
            },
            &[0, 0, 0, 0],
            4,
        );
        assert_eq!(Reset::parse(&[2, 0, 0, 0]), Err(Error::BadValue));
    }

    #[test]
    fn map_link_golden() {
        let r = MapLink {
            mac: [2, 0xB5, 0x26, 0, 0, 1],
            unmap: false,
            link_id: 1,
        };
        check_golden(&r, &[2, 0xB5, 0x26, 0, 0, 1, 0, 1], 8);
        assert_eq!(
            MapLink::parse(&[0, 0, 0, 0, 0, 0, 2, 1]),
            Err(Error::BadValue)
        );
    }

    #[test]
    fn exception_golden() {
        let mut g = [0u8; EXCEPTION_LEN];
        g[0] = 4; // assert
        g[8] = 0x2A; // regs[1] = line 42
        g[4 + 15 * 4..4 + 16 * 4].copy_from_slice(&0x0020_0769u32.to_le_bytes()); // PC
        g[76..82].copy_from_slice(b"wsm.c\0");
        let mut regs = [0u32; 18];
        regs[1] = 42;
        regs[15] = 0x0020_0769;
        let mut file = [0u8; 48];
        file[..5].copy_from_slice(b"wsm.c");
        let r = Exception {
            reason: 4,
            regs,
            file,
        };
        check_golden(&r, &g, EXCEPTION_LEN);
        assert_eq!(r.kind(), ExceptionKind::Assert);
        assert_eq!(r.file_name(), b"wsm.c");
    }
}
