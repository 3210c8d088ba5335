//! issue 19: the known-build table (`image::known`) is the one list of published builds;
//! the firmware recipe pins the same files by sha256. Every image pin in the recipe must
//! name a build of the table in the same role, so the two cannot drift apart.

use std::fs;
use std::path::Path;

use bes2600_fw::image::known::{by_sha256, BUILDS};
use bes2600_fw::image::Kind;
use bes2600_fw::sha256::from_hex;

/// The recipe's `SRC_URI[<name>.sha256sum] = "<hex>"` lines.
fn pins(recipe: &str) -> Vec<(String, String)> {
    recipe
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("SRC_URI[")?;
            let (name, rest) = rest.split_once(".sha256sum]")?;
            let hex = rest.split('"').nth(1)?;
            Some((name.to_string(), hex.to_string()))
        })
        .collect()
}

#[test]
fn issue_19_recipe_pins_are_known_builds() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../meta-bes2600/recipes-bsp/bes2600-firmware");
    let Ok(rd) = fs::read_dir(&dir) else {
        eprintln!(
            "skipped: no firmware recipe beside the crate ({})",
            dir.display()
        );
        return;
    };
    let mut checked = 0;
    for e in rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "bb"))
    {
        let text = fs::read_to_string(e.path()).unwrap();
        for (name, hex) in pins(&text) {
            let role = match name.as_str() {
                "boot" => Kind::Boot,
                "signal" => Kind::Signal,
                "nosignal" => Kind::Nosignal,
                "btrf" => Kind::Btrf,
                _ => continue, // the factory text is no image
            };
            let d = from_hex(&hex).unwrap_or_else(|| panic!("bad sha256 for {name}: {hex}"));
            let b = by_sha256(&d).unwrap_or_else(|| {
                panic!("recipe pin {name} = {hex} is not in image::known::BUILDS")
            });
            assert_eq!(b.kind, role, "{name}");
            checked += 1;
        }
    }
    assert_eq!(checked, 4, "four image pins in {}", dir.display());
    assert!(BUILDS.len() >= checked);
}
