//! Helpers shared by the binary-level test files: the built `bes2600-fw`, a synthetic set,
//! the installed firmware directory.
#![allow(dead_code)] // Each test file uses its own subset.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bes2600_fw::image::Kind;

/// The built binary, with a clean log environment.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("bes2600-fw").unwrap();
    c.env_remove("RUST_LOG");
    c
}

/// Writes a synthetic set with `bes2600-fw synth` into `dir/set`.
pub fn synth_set(dir: &Path) -> PathBuf {
    let set = dir.join("set");
    bin().args(["synth", "--out"]).arg(&set).assert().success();
    set
}

/// `bes2600-fw install --allow-unknown --from FROM --root ROOT`, ready for `.assert()`.
pub fn install_cmd(from: &Path, root: &Path) -> Command {
    let mut c = bin();
    c.args(["install", "--allow-unknown", "--from"])
        .arg(from)
        .arg("--root")
        .arg(root);
    c
}

/// The firmware directory under an install root.
pub fn fw_dir(root: &Path) -> PathBuf {
    root.join("lib/firmware/bes2600")
}

/// Every file in a directory with its contents, sorted by name.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, fs::read(e.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A set of the four roles, each a synthetic image of another size than the default one.
pub fn other_set(dir: &Path, seed: u32) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    for k in Kind::ALL {
        let img = bes2600_fw::synth::image(k, bes2600_fw::synth::code_len(k) / 2, seed);
        fs::write(dir.join(k.file_name()), img).unwrap();
    }
    dir.to_path_buf()
}
