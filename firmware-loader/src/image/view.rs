// SPDX-License-Identifier: GPL-2.0-only
//! Zero-copy view of a firmware image file and its high-level representation (spec §2.2),
//! in the smoltcp style: [`ImageView`] reads and writes fields in place once its length is
//! checked, [`ImageRepr`] is the parsed, owned summary that can be emitted back.
//!
//! Layout: bytes 0-15 are four little-endian u32 {entry, param, sp, exec_addr}
//! (C:bes_fw_common.h:90-95); the last 4 bytes are the load-address trailer, which is not
//! downloaded (`CODE_DATA_USELESS_SIZE`, C:bes_fw_common.c:29, 56; C:bes_fw.c:503).

use super::{ImageError, HEADER_LEN, MAX_IMAGE_LEN, MIN_IMAGE_LEN, TRAILER_LEN};

mod field {
    pub const ENTRY: usize = 0;
    pub const PARAM: usize = 4;
    pub const SP: usize = 8;
    pub const EXEC_ADDR: usize = 12;
}

// Every header field lies inside the header, and the header inside the smallest image, so
// once `check_len` passed no getter can index out of bounds.
const _: () = assert!(field::EXEC_ADDR + 4 <= HEADER_LEN);
const _: () = assert!(HEADER_LEN + TRAILER_LEN <= MIN_IMAGE_LEN);

/// A view over the bytes of a whole image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageView<T: AsRef<[u8]>> {
    buf: T,
}

fn read_le32(b: &[u8], at: usize) -> u32 {
    // PANIC: callers pass offsets that `check_len` proved in bounds (see the asserts above).
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<T: AsRef<[u8]>> ImageView<T> {
    /// Wraps `buf` without checking it; getters may panic until [`check_len`](Self::check_len)
    /// succeeds.
    pub const fn new_unchecked(buf: T) -> Self {
        ImageView { buf }
    }

    /// Wraps `buf` and checks that no getter can panic.
    ///
    /// # Errors
    ///
    /// [`ImageError::TooShort`] below [`MIN_IMAGE_LEN`].
    pub fn new_checked(buf: T) -> Result<Self, ImageError> {
        let v = Self::new_unchecked(buf);
        v.check_len()?;
        Ok(v)
    }

    /// Checks that the buffer holds a header, a code word and the trailer.
    ///
    /// # Errors
    ///
    /// [`ImageError::TooShort`] below [`MIN_IMAGE_LEN`].
    pub fn check_len(&self) -> Result<(), ImageError> {
        let len = self.buf.as_ref().len();
        if len < MIN_IMAGE_LEN {
            return Err(ImageError::TooShort(len));
        }
        Ok(())
    }

    /// Returns the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buf
    }

    /// Header word 0: the entry point (spec §2.2).
    pub fn entry(&self) -> u32 {
        read_le32(self.buf.as_ref(), field::ENTRY)
    }

    /// Header word 1: the parameter word.
    pub fn param(&self) -> u32 {
        read_le32(self.buf.as_ref(), field::PARAM)
    }

    /// Header word 2: the initial stack pointer.
    pub fn sp(&self) -> u32 {
        read_le32(self.buf.as_ref(), field::SP)
    }

    /// Header word 3: the execution (load) address the header states.
    pub fn exec_addr(&self) -> u32 {
        read_le32(self.buf.as_ref(), field::EXEC_ADDR)
    }

    /// The last 4 bytes: the load-address trailer.
    pub fn trailer(&self) -> u32 {
        let b = self.buf.as_ref();
        read_le32(b, b.len() - TRAILER_LEN)
    }

    /// The bytes that are downloaded: all but the trailer.
    pub fn code(&self) -> &[u8] {
        let b = self.buf.as_ref();
        b.get(..b.len().saturating_sub(TRAILER_LEN)).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ImageView<T> {
    fn write_le32(&mut self, at: usize, v: u32) {
        // PANIC: as for `read_le32`; `at` is a header offset or `len - TRAILER_LEN`.
        self.buf.as_mut()[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Sets header word 0.
    pub fn set_entry(&mut self, v: u32) {
        self.write_le32(field::ENTRY, v)
    }

    /// Sets header word 1.
    pub fn set_param(&mut self, v: u32) {
        self.write_le32(field::PARAM, v)
    }

    /// Sets header word 2.
    pub fn set_sp(&mut self, v: u32) {
        self.write_le32(field::SP, v)
    }

    /// Sets header word 3.
    pub fn set_exec_addr(&mut self, v: u32) {
        self.write_le32(field::EXEC_ADDR, v)
    }

    /// Sets the trailer.
    pub fn set_trailer(&mut self, v: u32) {
        let at = self.buf.as_ref().len() - TRAILER_LEN;
        self.write_le32(at, v)
    }
}

/// The parsed layout of an image: header words, trailer and the downloaded length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRepr {
    /// Header word 0: entry point.
    pub entry: u32,
    /// Header word 1: parameter.
    pub param: u32,
    /// Header word 2: initial stack pointer.
    pub sp: u32,
    /// Header word 3: the execution address the header states.
    pub exec_addr: u32,
    /// The load-address trailer.
    pub trailer: u32,
    /// Bytes downloaded: the file minus the trailer.
    pub code_len: usize,
}

impl ImageRepr {
    /// Parses the layout and checks the sizes any image must have.
    ///
    /// # Errors
    ///
    /// [`ImageError::TooLong`] above [`MAX_IMAGE_LEN`], [`ImageError::Unaligned`] when the
    /// code is not whole words (DATA frames carry words), [`ImageError::NoLoadAddress`] when
    /// header word 3 and the trailer are both 0 (the vendor rule would load at address 0).
    pub fn parse<T: AsRef<[u8]>>(view: &ImageView<T>) -> Result<ImageRepr, ImageError> {
        view.check_len()?;
        let len = view.buf.as_ref().len();
        if len > MAX_IMAGE_LEN {
            return Err(ImageError::TooLong(len));
        }
        let code_len = len - TRAILER_LEN;
        if !code_len.is_multiple_of(4) {
            return Err(ImageError::Unaligned(code_len));
        }
        let repr = ImageRepr {
            entry: view.entry(),
            param: view.param(),
            sp: view.sp(),
            exec_addr: view.exec_addr(),
            trailer: view.trailer(),
            code_len,
        };
        if repr.exec_addr == 0 && repr.trailer == 0 {
            return Err(ImageError::NoLoadAddress);
        }
        Ok(repr)
    }

    /// The file length this layout needs: code plus trailer.
    pub const fn buffer_len(&self) -> usize {
        self.code_len + TRAILER_LEN
    }

    /// The load address by the vendor rule: header word 3, unless it is 0 or differs from a
    /// non-zero trailer, in which case the trailer wins (C:bes_fw_common.c:56-61).
    pub const fn load_addr(&self) -> u32 {
        if self.exec_addr == 0 || (self.trailer != 0 && self.exec_addr != self.trailer) {
            self.trailer
        } else {
            self.exec_addr
        }
    }

    /// Writes the header words and the trailer into `view`; the code bytes are left alone.
    ///
    /// # Errors
    ///
    /// [`ImageError::TooShort`] when the view is shorter than the header and trailer, and
    /// [`ImageError::Unaligned`] when its length is not [`buffer_len`](Self::buffer_len).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        view: &mut ImageView<T>,
    ) -> Result<(), ImageError> {
        view.check_len()?;
        let len = view.buf.as_ref().len();
        if len != self.buffer_len() {
            return Err(ImageError::Unaligned(len.saturating_sub(TRAILER_LEN)));
        }
        view.set_entry(self.entry);
        view.set_param(self.param);
        view.set_sp(self.sp);
        view.set_exec_addr(self.exec_addr);
        view.set_trailer(self.trailer);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden bytes: the header and trailer of the published images' layout (spec §2.2).
    #[test]
    fn golden_header_and_trailer() {
        let mut f = [0u8; 32];
        f[..16].copy_from_slice(&[
            0xD5, 0x15, 0x20, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x01, 0x00, 0x20,
        ]);
        f[28..].copy_from_slice(&[0x68, 0x01, 0x00, 0x20]);
        let v = ImageView::new_checked(&f[..]).unwrap();
        let r = ImageRepr::parse(&v).unwrap();
        assert_eq!(
            r,
            ImageRepr {
                entry: 0x0020_15D5,
                param: 0,
                sp: 0,
                exec_addr: 0x2000_0168,
                trailer: 0x2000_0168,
                code_len: 28,
            }
        );
        assert_eq!(v.code(), &f[..28]);
        let mut out = [0u8; 32];
        r.emit(&mut ImageView::new_unchecked(&mut out[..])).unwrap();
        assert_eq!(&out[..16], &f[..16]);
        assert_eq!(&out[28..], &f[28..]);
    }

    #[test]
    fn emit_refuses_a_buffer_of_another_length() {
        let r = ImageRepr {
            entry: 1,
            param: 2,
            sp: 3,
            exec_addr: 4,
            trailer: 4,
            code_len: 20,
        };
        let mut b = [0u8; 28];
        assert_eq!(
            r.emit(&mut ImageView::new_unchecked(&mut b[..])),
            Err(ImageError::Unaligned(24))
        );
        let mut b = [0u8; 8];
        assert_eq!(
            r.emit(&mut ImageView::new_unchecked(&mut b[..])),
            Err(ImageError::TooShort(8))
        );
    }

    proptest::proptest! {
        /// `parse(emit(r)) == r` for any header and trailer with a load address.
        #[test]
        fn round_trip(entry: u32, param: u32, sp: u32, exec: u32, trailer: u32, words in 5usize..64) {
            proptest::prop_assume!(exec != 0 || trailer != 0);
            let r = ImageRepr { entry, param, sp, exec_addr: exec, trailer, code_len: words * 4 };
            let mut b = vec![0u8; r.buffer_len()];
            r.emit(&mut ImageView::new_unchecked(&mut b[..])).unwrap();
            proptest::prop_assert_eq!(ImageRepr::parse(&ImageView::new_unchecked(&b[..])), Ok(r));
        }
    }
}
