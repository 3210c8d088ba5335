// SPDX-License-Identifier: GPL-2.0-only
//! Byte ranges and little-endian helpers shared by every view.
//!
//! The helpers index their input; callers only use them inside a view after `check_len`
//! (or on a slice whose length they checked), as STYLE §1.2 and §6 allow.

/// A byte range inside a message, as in the spec tables.
pub type Field = core::ops::Range<usize>;

/// A field that runs from an offset to the end of the buffer.
pub type Rest = core::ops::RangeFrom<usize>;

/// Rounds `n` up to a multiple of 4 (the inner alignment of RX and TX, spec §1.6).
pub const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Reads a little-endian u16 from the first 2 bytes of `b`.
///
/// Panics if `b` is shorter than 2 bytes; only call it on checked ranges.
pub fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

/// Reads a little-endian u32 from the first 4 bytes of `b`.
///
/// Panics if `b` is shorter than 4 bytes; only call it on checked ranges.
pub fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads a little-endian u64 from the first 8 bytes of `b`.
///
/// Panics if `b` is shorter than 8 bytes; only call it on checked ranges.
pub fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Writes `v` little-endian into the first 2 bytes of `b`.
pub fn set_le16(b: &mut [u8], v: u16) {
    b[..2].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` little-endian into the first 4 bytes of `b`.
pub fn set_le32(b: &mut [u8], v: u32) {
    b[..4].copy_from_slice(&v.to_le_bytes());
}

/// Writes `v` little-endian into the first 8 bytes of `b`.
pub fn set_le64(b: &mut [u8], v: u64) {
    b[..8].copy_from_slice(&v.to_le_bytes());
}

/// A fixed-size little-endian field type that views read and write (u8, u16, u32, byte arrays).
pub trait LeField: Sized + Copy {
    /// Size of the field in bytes.
    const SIZE: usize;
    /// Reads the field from the start of `b` (`b.len() >= SIZE`).
    fn read(b: &[u8]) -> Self;
    /// Writes the field to the start of `b` (`b.len() >= SIZE`).
    fn write(self, b: &mut [u8]);
}

impl LeField for u8 {
    const SIZE: usize = 1;
    fn read(b: &[u8]) -> Self {
        b[0]
    }
    fn write(self, b: &mut [u8]) {
        b[0] = self;
    }
}

impl LeField for u16 {
    const SIZE: usize = 2;
    fn read(b: &[u8]) -> Self {
        le16(b)
    }
    fn write(self, b: &mut [u8]) {
        set_le16(b, self)
    }
}

impl LeField for u32 {
    const SIZE: usize = 4;
    fn read(b: &[u8]) -> Self {
        le32(b)
    }
    fn write(self, b: &mut [u8]) {
        set_le32(b, self)
    }
}

impl<const N: usize> LeField for [u8; N] {
    const SIZE: usize = N;
    fn read(b: &[u8]) -> Self {
        let mut a = [0u8; N];
        a.copy_from_slice(&b[..N]);
        a
    }
    fn write(self, b: &mut [u8]) {
        b[..N].copy_from_slice(&self);
    }
}

/// True if a field of `size` bytes at `off` lies inside `len` bytes (used in const asserts).
pub const fn fits(off: usize, size: usize, len: usize) -> bool {
    off + size <= len
}

/// Returns `Err(Reserved)` unless every byte of `b` is zero.
pub fn check_zero(b: &[u8]) -> crate::Result<()> {
    if b.iter().all(|&x| x == 0) {
        Ok(())
    } else {
        Err(crate::Error::Reserved)
    }
}

/// Returns the first `n` bytes of `b`, or `Err(Truncated)`.
pub fn take(b: &[u8], n: usize) -> crate::Result<&[u8]> {
    b.get(..n).ok_or(crate::Error::Truncated)
}

/// Returns the first `n` bytes of `b` mutably, or `Err(BufferTooSmall)`.
pub fn take_mut(b: &mut [u8], n: usize) -> crate::Result<&mut [u8]> {
    b.get_mut(..n).ok_or(crate::Error::BufferTooSmall)
}
