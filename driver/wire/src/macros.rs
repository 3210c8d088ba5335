// SPDX-License-Identifier: GPL-2.0-only
//! Macros that generate code points and fixed-layout views (STYLE §1.1, §1.4).

/// Declares a code-point enum that keeps unknown values (`Unknown(raw)`), with `From` both ways.
macro_rules! enum_with_unknown {
    (
        $(#[$enum_attr:meta])*
        pub enum $name:ident($ty:ty) {
            $( $(#[$variant_attr:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        $(#[$enum_attr])*
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Clone, Copy)]
        pub enum $name {
            $( $(#[$variant_attr])* $variant ),+,
            /// A value the spec does not name; kept so that it can be counted and skipped.
            Unknown($ty),
        }

        impl ::core::convert::From<$ty> for $name {
            fn from(value: $ty) -> Self {
                match value {
                    $( $value => $name::$variant ),+,
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::convert::From<$name> for $ty {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => $value ),+,
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}

/// Declares a zero-copy view over a fixed-layout structure (plus an optional tail).
///
/// Each field is `getter / setter : type = offset;`. A compile-time assertion proves that
/// every field lies inside `min_len`, so once `check_len` succeeds no getter can panic.
macro_rules! view {
    (
        $(#[$attr:meta])*
        pub struct $name:ident;
        min_len = $len:expr;
        $( $(#[$fattr:meta])* $get:ident / $set:ident : $ty:ty = $off:expr; )*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<T: AsRef<[u8]>> {
            buf: T,
        }

        $( const _: () = assert!($crate::field::fits($off, <$ty as $crate::field::LeField>::SIZE, $len)); )*

        impl<T: AsRef<[u8]>> $name<T> {
            /// Length of the fixed part in bytes.
            pub const FIXED_LEN: usize = $len;

            /// Wraps `buf` without checking it; getters may panic until `check_len` succeeds.
            pub const fn new_unchecked(buf: T) -> Self {
                Self { buf }
            }

            /// Wraps `buf` and checks that no getter can panic.
            pub fn new_checked(buf: T) -> $crate::Result<Self> {
                let v = Self::new_unchecked(buf);
                v.check_len()?;
                Ok(v)
            }

            /// Checks that the buffer holds the fixed part; after `Ok`, no getter panics.
            pub fn check_len(&self) -> $crate::Result<()> {
                if self.buf.as_ref().len() < $len {
                    Err($crate::Error::Truncated)
                } else {
                    Ok(())
                }
            }

            /// Returns the underlying buffer.
            pub fn into_inner(self) -> T {
                self.buf
            }

            /// Returns the bytes after the fixed part (empty if there are none).
            pub fn tail(&self) -> &[u8] {
                self.buf.as_ref().get($len..).unwrap_or(&[])
            }

            $(
                $(#[$fattr])*
                pub fn $get(&self) -> $ty {
                    <$ty as $crate::field::LeField>::read(&self.buf.as_ref()[$off..])
                }
            )*
        }

        impl<T: AsRef<[u8]> + AsMut<[u8]>> $name<T> {
            /// Returns the bytes after the fixed part, mutably.
            pub fn tail_mut(&mut self) -> &mut [u8] {
                self.buf.as_mut().get_mut($len..).unwrap_or(&mut [])
            }

            $(
                #[doc = concat!("Sets the field that `", stringify!($get), "` reads.")]
                pub fn $set(&mut self, v: $ty) {
                    $crate::field::LeField::write(v, &mut self.buf.as_mut()[$off..])
                }
            )*
        }
    };
}
