//! The binary's contract with its users: help, exit codes, configuration errors, and failures
//! that name their cause (issue 8).

mod common;

use common::*;

#[test]
fn help_lists_commands_and_options() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("run") && out.contains("serve"), "{out}");
    let (code, out, _) = run(&["run", "--help"]);
    assert_eq!(code, 0);
    for opt in [
        "--config",
        "--sysroot",
        "--peer",
        "--json",
        "--plot",
        "--duration",
    ] {
        assert!(out.contains(opt), "run --help lacks {opt}:\n{out}");
    }
    let (code, out, _) = run(&["serve", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--listen"), "{out}");
}

/// `run --help` says which plot formats this build writes.
#[test]
fn help_says_which_plot_formats_are_built() {
    let (code, out, _) = run(&["run", "--help"]);
    assert_eq!(code, 0);
    if cfg!(feature = "png") {
        assert!(out.contains(".svg or .png"), "{out}");
    } else {
        assert!(out.contains(".png needs a build with the `png`"), "{out}");
        assert!(out.contains("--features png"), "{out}");
    }
}

/// Without the `png` feature a .png plot is refused before the run (exit 2, the feature named,
/// no panic, nothing measured or written); so is an unknown extension in any build.
#[test]
fn unbuildable_plot_is_an_error_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "smoke.toml", NO_CHECKS);
    let json_path = dir.path().join("r.json");
    let mut cases = vec![("r.jpg", "must end in .svg or .png")];
    if !cfg!(feature = "png") {
        cases.push(("r.png", "cargo feature `png`"));
    }
    for (file, message) in cases {
        let plot = dir.path().join(file);
        let (code, out, err) = run(&[
            "run",
            "-c",
            cfg.to_str().unwrap(),
            "--json",
            json_path.to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "an unwritable plot is an error\n{out}\n{err}");
        assert!(err.contains("error:") && err.contains(message), "{err}");
        assert!(
            err.contains(plot.to_str().unwrap()),
            "names the file: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.is_empty(), "no run: {out}");
        assert!(!json_path.exists() && !plot.exists(), "nothing written");
    }
}

#[test]
fn issue_8_bad_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "smoke.toml", "[thresholds]\nmin_median = 5\n");
    let (code, out, err) = run(&["run", "-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 2, "configuration errors exit 2\n{err}");
    assert!(out.is_empty(), "no report for a bad config: {out}");
    assert!(err.contains("error:"), "{err}");
    assert!(err.contains(cfg.to_str().unwrap()), "names the file: {err}");
    assert!(err.contains("min_median"), "names the key: {err}");
    assert!(err.contains("line 2"), "points at the line: {err}");
}

#[test]
fn invalid_value_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "smoke.toml", "[test]\nduration_s = 0\n");
    let (code, _, err) = run(&["run", "-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("test.duration_s"), "{err}");
}

#[test]
fn missing_config_file_is_an_error() {
    let (code, _, err) = run(&["run", "-c", "/nonexistent/smoke.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot read config /nonexistent/smoke.toml"),
        "{err}"
    );
    assert!(err.contains("No such file"), "cause chain printed: {err}");
}

#[test]
fn bad_test_list_on_the_command_line_is_rejected() {
    let (code, _, err) = run(&["run", "--tests", "tcp-rx,tcp-up"]);
    assert_eq!(code, 2);
    assert!(err.contains("tcp-up"), "{err}");
}

#[test]
fn failed_prerequisites_fail_with_every_cause_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let iw = script(dir.path(), "iw", "echo 'Not connected.'");
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "[checks]\nscan_timeout_s = 1\n[tools]\niw = \"{}\"\n",
            iw.display()
        ),
    );
    let json_path = dir.path().join("r.json");
    let plot = dir.path().join("r.svg");
    let (code, out, err) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--sysroot",
        root.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert_eq!(
        code, 1,
        "a failed check is a FAIL, not an error\n{out}\n{err}"
    );
    assert!(
        out.contains(
            "verdict: FAIL (check_module, check_firmware, check_counters, check_interface, \
             check_scan)"
        ),
        "{out}"
    );
    // Nothing is provisioned and no peer is set: association is not asked for.
    assert!(
        out.contains("check associated skipped no network provisioned (manager: none)"),
        "{out}"
    );
    assert!(
        out.contains("network: none (none found), no network provisioned"),
        "{out}"
    );
    let r = json(&json_path);
    assert_eq!(r["verdict"]["result"], "fail");
    assert_eq!(
        r["tests"].as_array().unwrap().len(),
        0,
        "no traffic without prerequisites"
    );
    assert!(
        plot.exists(),
        "the plot is drawn even with nothing measured"
    );
}

#[test]
fn unreachable_peer_fails_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_tcp_port();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!("{NO_CHECKS}[peer]\naddress = \"127.0.0.1:{port}\"\n[test]\nduration_s = 1\ntests = [\"tcp-rx\"]\n"),
    );
    let json_path = dir.path().join("r.json");
    let (code, out, _) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(causes(&json(&json_path)), vec!["peer_unreachable"]);
    assert!(
        out.contains("peer_unreachable: tcp-rx: cannot reach peer"),
        "{out}"
    );
}

#[test]
fn skipped_checks_are_reported_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (_serve, port) = serve_local();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "{NO_CHECKS}[peer]\naddress = \"127.0.0.1:{port}\"\n[test]\nduration_s = 1\n\
             tests = [\"tcp-rx\"]\n"
        ),
    );
    let json_path = dir.path().join("r.json");
    let (code, out, _) = run(&[
        "run",
        "-c",
        cfg.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let r = json(&json_path);
    for c in r["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "skipped", "{c}");
        assert_eq!(c["detail"], "turned off in [checks]");
    }
    assert!(out.contains("check module     skipped"), "{out}");
}

#[test]
fn quiet_prints_only_the_verdict_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_tcp_port();
    let cfg = write(
        dir.path(),
        "smoke.toml",
        &format!(
            "{NO_CHECKS}[peer]\naddress = \"127.0.0.1:{port}\"\n[test]\ntests = [\"udp-tx\"]\n"
        ),
    );
    let (code, out, _) = run(&["run", "-q", "-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(out, "verdict: FAIL (peer_unreachable)\n");
}
