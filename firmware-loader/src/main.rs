//! `bes2600-fw`: verify, install and inspect BES2600 firmware (work in progress).
fn main() {}
