// SPDX-License-Identifier: GPL-2.0-only
//! Small types shared by several WSM messages: MAC address, band, SSID record.

use crate::field::{le32, set_le32};
use crate::list::Record;
use crate::{Error, Result};

/// A 48-bit MAC address as it appears on the wire.
pub type MacAddr = [u8; 6];

/// Maximum SSID length (spec §3.3 join/scan: 32-byte field).
pub const SSID_MAX_LEN: usize = 32;

enum_with_unknown! {
    /// Radio band (spec §3.3 join/scan `band`).
    pub enum Band(u8) {
        /// 2.4 GHz.
        Band2G4 = 0,
        /// 5 GHz.
        Band5G = 1,
    }
}

/// An SSID as sent in join and scan requests: `u32 len` then 32 bytes (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ssid {
    len: u8,
    bytes: [u8; SSID_MAX_LEN],
}

impl Ssid {
    /// Builds an SSID from up to 32 bytes.
    ///
    /// # Errors
    ///
    /// `BadLength` above 32 bytes.
    pub fn new(s: &[u8]) -> Result<Self> {
        if s.len() > SSID_MAX_LEN {
            return Err(Error::BadLength);
        }
        let mut bytes = [0u8; SSID_MAX_LEN];
        bytes[..s.len()].copy_from_slice(s);
        // CAST: checked ≤ 32 above.
        Ok(Ssid {
            len: s.len() as u8,
            bytes,
        })
    }

    /// The SSID bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Parses `u32 len` + 32 bytes; bytes past `len` must be zero.
    pub(crate) fn parse_parts(len: u32, bytes: &[u8]) -> Result<Self> {
        let len = usize::try_from(len).map_err(|_| Error::BadLength)?;
        if len > SSID_MAX_LEN || bytes.len() < SSID_MAX_LEN {
            return Err(Error::BadLength);
        }
        crate::field::check_zero(&bytes[len..SSID_MAX_LEN])?;
        Self::new(&bytes[..len])
    }

    /// The 32-byte field, zero padded.
    pub fn field(&self) -> [u8; SSID_MAX_LEN] {
        self.bytes
    }

    /// The length as sent.
    pub fn len_u32(&self) -> u32 {
        u32::from(self.len)
    }
}

impl Record for Ssid {
    const LEN: usize = 4 + SSID_MAX_LEN;

    fn parse(b: &[u8]) -> Result<Self> {
        let b = b.get(..Self::LEN).ok_or(Error::Truncated)?;
        Ssid::parse_parts(le32(b), &b[4..])
    }

    fn emit(&self, b: &mut [u8]) {
        set_le32(b, self.len_u32());
        b[4..Self::LEN].copy_from_slice(&self.bytes);
    }
}
