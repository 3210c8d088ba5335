//! A simulated BES2600 chip (placeholder until its issue lands).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bootrom;
