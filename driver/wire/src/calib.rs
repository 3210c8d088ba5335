// SPDX-License-Identifier: GPL-2.0-only
//! The 72-byte factory calibration record (spec §2.6).
