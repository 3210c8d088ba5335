// SPDX-License-Identifier: GPL-2.0-only
//! WSM status codes (spec §3.8.1) and the generic confirm (spec §3.6).

use crate::field::{le32, set_le32, take};
use crate::Result;

enum_with_unknown! {
    /// A WSM status code (spec §3.8.1). Code 13 is unnamed in the sources and stays `Unknown`.
    pub enum Status(u32) {
        /// Success.
        Success = 0,
        /// Generic failure.
        Failure = 1,
        /// Invalid parameter.
        InvalidParameter = 2,
        /// Access denied / wrong state.
        AccessDenied = 3,
        /// RX: decryption error.
        DecryptFailure = 4,
        /// RX: MIC failure.
        MicFailure = 5,
        /// TX: retry limit exceeded.
        RetryExceeded = 6,
        /// TX: MSDU lifetime exceeded.
        TxLifetimeExceeded = 7,
        /// Link lost.
        LinkLost = 8,
        /// No key found for an encrypted frame.
        NoKeyFound = 9,
        /// Jammer detected.
        JammerDetected = 10,
        /// TX: requeue (send again later).
        Requeue = 11,
    }
}

impl Status {
    /// True for success (0).
    pub fn is_ok(self) -> bool {
        self == Status::Success
    }
}

/// The generic confirm 0x04xx: a body that starts with `u32 status` (spec §3.3, §3.6).
///
/// Not a [`super::Message`] because it serves every request ID; use [`GenericCnf::parse`] on
/// the body of any confirm whose per-command data the caller does not need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenericCnf {
    /// The status.
    pub status: Status,
}

impl GenericCnf {
    /// Body length.
    pub const LEN: usize = 4;

    /// Parses the leading status of a confirm body; trailing bytes are ignored.
    ///
    /// # Errors
    ///
    /// `Truncated` below 4 bytes.
    pub fn parse(body: &[u8]) -> Result<Self> {
        Ok(GenericCnf {
            status: le32(take(body, Self::LEN)?).into(),
        })
    }

    /// Writes the 4-byte body.
    pub fn emit(&self, body: &mut [u8]) {
        set_le32(body, self.status.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(Status::from(9), Status::NoKeyFound);
        assert_eq!(Status::from(13), Status::Unknown(13));
        assert_eq!(u32::from(Status::Requeue), 11);
        let mut b = [0xa5u8; 4];
        GenericCnf {
            status: Status::InvalidParameter,
        }
        .emit(&mut b);
        assert_eq!(b, [2, 0, 0, 0]);
        assert_eq!(
            GenericCnf::parse(&b).map(|c| c.status),
            Ok(Status::InvalidParameter)
        );
        assert_eq!(GenericCnf::parse(&b[..3]), Err(crate::Error::Truncated));
    }
}
