//! The simulated boot ROM (spec §2.3-2.5); written with the firmware-loader issue.
