// SPDX-License-Identifier: GPL-2.0-only
//! Boot-ROM download messages 0xB0-0xB4 (spec §2.3).
