//! BES2600 wire crate (placeholder until its issue lands).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]
