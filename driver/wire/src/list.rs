// SPDX-License-Identifier: GPL-2.0-only
//! Allocation-free lists of fixed-size records inside a message (scan channels, SSIDs,
//! multi-TX confirms, rate policies, beacon filter entries).

use core::fmt;

use crate::{Error, Result};

/// A fixed-size record that appears `count` times in a message.
pub trait Record: Sized + Copy {
    /// Size of one record in bytes.
    const LEN: usize;

    /// Parses one record from exactly `LEN` bytes.
    ///
    /// # Errors
    ///
    /// `BadValue`, `BadLength` or `Reserved` per record type.
    fn parse(b: &[u8]) -> Result<Self>;

    /// Writes one record into exactly `LEN` bytes.
    fn emit(&self, b: &mut [u8]);
}

#[derive(Clone, Copy)]
enum Inner<'a, R> {
    Bytes(&'a [u8]),
    Items(&'a [R]),
}

/// A list of records, either borrowed from received bytes (validated) or from a slice of
/// values the caller wants to emit. Two lists are equal when their records are equal.
#[derive(Clone, Copy)]
pub struct List<'a, R>(Inner<'a, R>);

impl<'a, R: Record> List<'a, R> {
    /// A list of values to emit.
    pub const fn from_items(items: &'a [R]) -> Self {
        List(Inner::Items(items))
    }

    /// An empty list.
    pub const fn empty() -> Self {
        List(Inner::Items(&[]))
    }

    /// Validates `count` records at the start of `b` and borrows them.
    ///
    /// # Errors
    ///
    /// `Truncated` if `b` is too short, or the first record error.
    pub fn parse(b: &'a [u8], count: usize) -> Result<Self> {
        let n = count.checked_mul(R::LEN).ok_or(Error::BadCount)?;
        let b = b.get(..n).ok_or(Error::Truncated)?;
        for r in b.chunks_exact(R::LEN) {
            R::parse(r)?;
        }
        Ok(List(Inner::Bytes(b)))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        match self.0 {
            Inner::Bytes(b) => b.len() / R::LEN,
            Inner::Items(i) => i.len(),
        }
    }

    /// True if there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the records take.
    pub fn buffer_len(&self) -> usize {
        self.len() * R::LEN
    }

    /// The record at `i`.
    pub fn get(&self, i: usize) -> Option<R> {
        match self.0 {
            Inner::Bytes(b) => b.chunks_exact(R::LEN).nth(i).and_then(|r| R::parse(r).ok()),
            Inner::Items(items) => items.get(i).copied(),
        }
    }

    /// Iterates over the records.
    pub fn iter(&self) -> impl Iterator<Item = R> + 'a {
        let (bytes, items): (&'a [u8], &'a [R]) = match self.0 {
            Inner::Bytes(b) => (b, &[]),
            Inner::Items(i) => (&[], i),
        };
        // Byte records were validated by `parse`, so `ok()` drops nothing.
        bytes
            .chunks_exact(R::LEN)
            .filter_map(|r| R::parse(r).ok())
            .chain(items.iter().copied())
    }

    /// Writes the records into `out` (at least `buffer_len()` bytes).
    pub fn emit(&self, out: &mut [u8]) {
        for (r, o) in self.iter().zip(out.chunks_exact_mut(R::LEN)) {
            r.emit(o);
        }
    }
}

impl<R: Record + PartialEq> PartialEq for List<'_, R> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<R: Record + Eq> Eq for List<'_, R> {}

impl<R: Record + fmt::Debug> fmt::Debug for List<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
