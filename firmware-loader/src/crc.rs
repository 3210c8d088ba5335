// SPDX-License-Identifier: GPL-2.0-only
//! The CRC-32 used by images, the END message, DPD blobs and the calibration record.
//!
//! It is the standard reflected CRC-32 (poly 0xEDB88320, init and final XOR 0xFFFFFFFF,
//! identical to zlib's `crc32`, spec §2.2). The core takes it through a trait so that the
//! kernel module can use `crc32_le` and the host the `crc` crate.

/// A one-shot CRC-32 (spec §2.2) over a byte slice; the wire crate's trait, shared with
/// the calibration record.
pub use bes2600_wire::calib::Crc32;

/// Adapts a `&dyn Crc32` to the wire crate's `&impl Crc32` parameters.
pub(crate) struct DynCrc<'a>(pub(crate) &'a dyn Crc32);

impl Crc32 for DynCrc<'_> {
    fn crc32(&self, data: &[u8]) -> u32 {
        self.0.crc32(data)
    }
}

/// Host implementation backed by the `crc` crate (`CRC_32_ISO_HDLC`, the zlib CRC).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct HostCrc;

#[cfg(feature = "std")]
impl Crc32 for HostCrc {
    fn crc32(&self, data: &[u8]) -> u32 {
        const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
        CRC.checksum(data)
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn host_crc_matches_the_zlib_check_value() {
        // The catalogue check value of CRC-32/ISO-HDLC for "123456789".
        assert_eq!(HostCrc.crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(HostCrc.crc32(b""), 0);
    }
}
