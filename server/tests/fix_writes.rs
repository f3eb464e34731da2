//! `xsguard fix` never loses a byte: the real binary on files that are awkward to write back
//! (a byte-order mark, CRLF or mixed line endings, no final newline, bytes that are not UTF-8,
//! a name that is not UTF-8) and on a full file system.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

/// A table whose `password` column lacks `sensitive = true`: XS201 has a safe fix for it.
const TABLE: &str =
    "table user {\n  auth = true\n  schema {\n    int id\n    text password\n  }\n}\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-fix-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xsguard(dir: &Path, args: &[&str]) -> Output {
    common::xsguard_in(dir, args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The bytes `after` has in place of `before`'s: the two must differ in one place only.
fn inserted<'a>(before: &[u8], after: &'a [u8]) -> &'a [u8] {
    let prefix = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    let suffix = before[prefix..]
        .iter()
        .rev()
        .zip(after[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(
        prefix + suffix,
        before.len(),
        "bytes of the original were lost or changed:\nbefore: {:?}\nafter:  {:?}",
        text(before),
        text(after)
    );
    &after[prefix..after.len() - suffix]
}

#[test]
fn bom_crlf_and_a_missing_final_newline_are_kept() {
    let dir = scratch("bom");
    let original = format!(
        "\u{feff}{}",
        TABLE.replace('\n', "\r\n").trim_end_matches("\r\n")
    );
    std::fs::write(dir.join("user.xs"), &original).unwrap();
    let output = xsguard(&dir, &["fix", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "Fixed 1 finding in 1 file (0 remaining).\n"
    );
    let after = std::fs::read(dir.join("user.xs")).unwrap();
    let new = text(inserted(original.as_bytes(), &after));
    assert!(new.contains("sensitive = true"), "{new:?}");
    assert!(
        !new.replace("\r\n", "").contains('\n'),
        "every inserted line ends with CRLF: {new:?}"
    );
    assert!(after.starts_with("\u{feff}".as_bytes()) && after.ends_with(b"}"));

    // Fixing again changes nothing.
    let again = xsguard(&dir, &["fix", "."]);
    assert_eq!(
        text(&again.stdout),
        "Fixed 0 findings in 0 files (0 remaining).\n"
    );
    assert_eq!(std::fs::read(dir.join("user.xs")).unwrap(), after);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lines_inserted_among_mixed_endings_take_the_ending_around_them() {
    let dir = scratch("mixed");
    // The first line ends with LF, the schema lines with CRLF.
    let original = TABLE
        .replacen('\n', "\u{1}", 1)
        .replace('\n', "\r\n")
        .replace('\u{1}', "\n");
    std::fs::write(dir.join("user.xs"), &original).unwrap();
    let output = xsguard(&dir, &["fix", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let after = std::fs::read(dir.join("user.xs")).unwrap();
    let new = text(inserted(original.as_bytes(), &after));
    assert!(
        new.contains("\r\n") && !new.replace("\r\n", "").contains('\n'),
        "{new:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_that_are_not_utf8_are_left_alone() {
    let dir = scratch("latin1");
    let mut original = b"// caf\xe9\n".to_vec();
    original.extend_from_slice(TABLE.as_bytes());
    std::fs::write(dir.join("user.xs"), &original).unwrap();
    let output = xsguard(&dir, &["fix", "."]);
    assert_eq!(std::fs::read(dir.join("user.xs")).unwrap(), original);
    assert!(
        text(&output.stderr).contains("warning: `./user.xs` is not valid UTF-8: left as it is"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).starts_with("Fixed 0 findings in 0 files"));
    assert_eq!(output.status.code(), Some(1), "findings remain");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_fixed_in_place() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("name");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.xs");
    std::fs::write(dir.join(name), TABLE).unwrap();
    let output = xsguard(&dir, &["fix", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        [name.to_os_string()],
        "no file was created beside it"
    );
    let after = text(&std::fs::read(dir.join(name)).unwrap());
    assert!(after.contains("sensitive = true"), "{after}");

    // Findings name the file with the byte written out.
    let check = xsguard(&dir, &["check", "--isolated", "--select", "XS000", "."]);
    assert!(text(&check.stdout).contains("Checked 1 file"));
    std::fs::write(dir.join(name), "table {").unwrap();
    let check = xsguard(&dir, &["check", "."]);
    assert!(
        text(&check.stdout).contains("./caf\\xE9.xs:1:"),
        "{}",
        text(&check.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_file_system_leaves_the_original_untouched() {
    let dir = scratch("full");
    let Some(_mounted) = Tmpfs::mount(&dir, "64k") else {
        // Mounting needs root (CI runs as root); elsewhere `replace_file`'s unit tests stand.
        eprintln!("cannot mount a tmpfs here: skipped");
        return;
    };
    let file = dir.join("user.xs");
    std::fs::write(&file, TABLE).unwrap();
    // Fill what is left.
    let mut filler = std::fs::File::create(dir.join("filler")).unwrap();
    let block = vec![0u8; 1024];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    let output = xsguard(&dir, &["fix", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    assert!(
        text(&output.stderr).contains("error: cannot write `./user.xs`")
            && text(&output.stderr).contains("the file is unchanged"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TABLE);
    assert!(
        text(&output.stdout).starts_with("Fixed 0 findings in 0 files"),
        "a file that could not be written is not counted: {}",
        text(&output.stdout)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "user.xs" && n != "filler")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    drop(_mounted);
    let _ = std::fs::remove_dir_all(&dir);
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    common::xs_paths(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The placeholders unsafe fixes write stay findings: fixing everything and checking again
/// cannot pass by itself, and fixing again changes nothing.
#[test]
fn unsafe_fixes_leave_findings_until_their_placeholders_are_filled() {
    let dir = scratch("placeholders");
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    common::copy_tree(&app, &dir.join("shop"));
    let fixed = xsguard(&dir, &["fix", "--unsafe-fixes", "shop"]);
    assert!(
        text(&fixed.stdout).contains("Fixed"),
        "{}{}",
        text(&fixed.stdout),
        text(&fixed.stderr)
    );
    let once = snapshot(&dir);
    let check = xsguard(&dir, &["check", "--format", "json", "shop"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let placeholders = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "XS003")
        .count();
    assert!(placeholders > 0, "{}", text(&check.stdout));
    let again = xsguard(&dir, &["fix", "--unsafe-fixes", "shop"]);
    assert_eq!(snapshot(&dir), once, "{}", text(&again.stdout));
    let _ = std::fs::remove_dir_all(dir);
}
