//! BES2600 boot-time smoke test (placeholder until its issue lands).
#![forbid(unsafe_code)]
