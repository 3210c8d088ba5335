//! issue 19: `install` refuses anything that does not verify and leaves the installed set
//! untouched, also when a write or a rename fails or the process dies mid-commit; the
//! progress bar a user sees on a terminal.

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

use bes2600_fw::cli::install::{self, NoOpListener, Options};
use bes2600_fw::cli::txn::{self, Faults};
use bes2600_fw::cli::verify::Policy;
use bes2600_fw::image::Kind;
use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::{bin, fw_dir, install_cmd, other_set, snapshot, synth_set};

const FW_DIR: &str = "/lib/firmware/bes2600";

fn opts(faults: Faults) -> Options {
    Options {
        policy: Policy {
            allow_unknown: true,
        },
        faults,
    }
}

/// A root with an older set installed; returns (root, new set, snapshot of the old).
type Installed = (
    std::path::PathBuf,
    std::path::PathBuf,
    Vec<(String, Vec<u8>)>,
);

fn installed_old_set(t: &Path) -> Installed {
    let root = t.join("root");
    let old = other_set(&t.join("old"), 7);
    install::install(
        &old,
        &root,
        FW_DIR,
        &opts(Faults::default()),
        &mut NoOpListener,
    )
    .unwrap();
    let before = snapshot(&fw_dir(&root));
    assert_eq!(before.len(), 4);
    (root, synth_set(t), before)
}

#[test]
fn issue_19_boot_image_installed_as_sdio_is_refused() {
    let t = TempDir::new().unwrap();
    let (root, set, before) = installed_old_set(t.path());
    fs::copy(
        set.join(Kind::Boot.file_name()),
        set.join(Kind::Signal.file_name()),
    )
    .unwrap();
    install_cmd(&set, &root).assert().code(1).stderr(
        predicate::str::contains("refusing to install")
            .and(predicate::str::contains(
                "entry word 0x002015d5 is a boot image, but the file name says signal",
            ))
            .and(predicate::str::contains("the installed set is unchanged")),
    );
    assert_eq!(snapshot(&fw_dir(&root)), before);
}

#[test]
fn issue_19_unknown_or_random_sets_are_refused_without_a_trace() {
    let t = TempDir::new().unwrap();
    let (root, set, before) = installed_old_set(t.path());
    // Unknown builds without the flag.
    bin()
        .args(["install", "--from"])
        .arg(&set)
        .arg("--root")
        .arg(&root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("pass --allow-unknown"));
    assert_eq!(snapshot(&fw_dir(&root)), before);
    // Random bytes under a firmware name, even with the flag.
    fs::write(set.join(Kind::Signal.file_name()), vec![0x5A; 70_000]).unwrap();
    install_cmd(&set, &root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is outside the chip RAM"));
    assert_eq!(snapshot(&fw_dir(&root)), before);
}

#[test]
fn issue_19_failing_write_or_rename_leaves_the_old_set() {
    let t = TempDir::new().unwrap();
    let (root, set, before) = installed_old_set(t.path());
    // The set has five files: four images and the factory text.
    for i in 0..5 {
        for faults in [
            Faults {
                fail_write: Some(i),
                ..Faults::default()
            },
            Faults {
                fail_rename: Some(i),
                ..Faults::default()
            },
        ] {
            let r = install::install(&set, &root, FW_DIR, &opts(faults), &mut NoOpListener);
            let e = format!("{:#}", r.expect_err("the injected failure"));
            assert!(e.contains("injected"), "{faults:?}: {e}");
            assert_eq!(snapshot(&fw_dir(&root)), before, "{faults:?}");
        }
    }
    // Then a clean run installs the new set, and only it.
    install::install(
        &set,
        &root,
        FW_DIR,
        &opts(Faults::default()),
        &mut NoOpListener,
    )
    .unwrap();
    assert_eq!(snapshot(&fw_dir(&root)), snapshot(&set));
}

#[test]
fn issue_19_a_crash_mid_commit_is_rolled_back() {
    let t = TempDir::new().unwrap();
    let (root, set, before) = installed_old_set(t.path());
    let crash = Faults {
        crash_after_rename: Some(2),
        ..Faults::default()
    };
    install::install(&set, &root, FW_DIR, &opts(crash), &mut NoOpListener).unwrap_err();
    let dir = fw_dir(&root);
    // Mid-commit: three new files in place, the journal and backups beside them.
    assert!(dir.join(txn::JOURNAL).is_file());
    assert_ne!(snapshot(&dir), before);
    assert!(txn::recover(&dir).unwrap(), "a commit was rolled back");
    assert_eq!(snapshot(&dir), before, "exactly the old set, nothing else");
    assert!(!txn::recover(&dir).unwrap(), "nothing left to roll back");

    // The binary rolls back too before it installs.
    install::install(&set, &root, FW_DIR, &opts(crash), &mut NoOpListener).unwrap_err();
    install_cmd(&set, &root)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "rolled back an install that was interrupted",
        ));
    assert_eq!(snapshot(&dir), snapshot(&set));
}

/// issue 5 / issue 19: the progress bar as a user sees it on a terminal (under `script`).
#[test]
fn issue_19_progress_bar_on_a_terminal() {
    let probe = StdCommand::new("script")
        .args(["-qec", "true", "/dev/null"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no script(1) to give the binary a terminal");
        return;
    }
    let t = TempDir::new().unwrap();
    let set = synth_set(t.path());
    let exe = assert_cmd::cargo::cargo_bin("bes2600-fw");
    let cmd = format!(
        "{} install --allow-unknown --from {} --root {}",
        exe.display(),
        set.display(),
        t.path().join("root").display()
    );
    let out = StdCommand::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("COLUMNS", "120")
        // A user's terminal: the caller's TERM may be `dumb` (CI, a fresh root), under which
        // indicatif rightly draws nothing.
        .env("TERM", "xterm")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    for k in Kind::ALL {
        let size = fs::metadata(set.join(k.file_name())).unwrap().len();
        let kib = format!("{:.2} KiB", size as f64 / 1024.0);
        assert!(
            screen.contains(k.file_name()) && screen.contains(&format!("{kib}/{kib}")),
            "no complete bar for {} ({kib}): {screen}",
            k.file_name()
        );
    }
    assert!(screen.contains("installed "), "{screen}");
}
