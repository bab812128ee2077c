//! Runs the module zip cases of golang.org/x/mod's own test data (check_zip, check_files, unzip,
//! create) against our zip checks and `h1:` hashing.
//!
//! Each case is a txtar archive: `key=value` header lines (`path`, `version`, `hash`, `wantErr`),
//! then `-- name --` files. The zip a case describes is written here with a minimal stored-entry
//! writer, because the `zip` crate refuses duplicate names and some cases need them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use gomodls_modfetch::dirhash;
use gomodls_modfetch::modzip::{self, CheckedFiles};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/x-mod-testdata/zip/testdata")
}

/// One txtar case: header values and files, all as bytes.
struct Case {
    name: String,
    header: Vec<(String, Vec<u8>)>,
    files: Vec<(String, Vec<u8>)>,
}

impl Case {
    fn get(&self, key: &str) -> Option<&[u8]> {
        self.header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.as_slice())
    }

    fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(|value| String::from_utf8_lossy(value).into_owned())
    }
}

fn parse_txtar(path: &Path) -> Case {
    let data = std::fs::read(path).unwrap();
    let mut header = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for line in data.split_inclusive(|&b| b == b'\n') {
        let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
        if let Some(name) = trimmed
            .strip_prefix(b"-- ")
            .and_then(|rest| rest.strip_suffix(b" --"))
        {
            files.push((
                String::from_utf8(name.to_vec()).unwrap().trim().to_owned(),
                Vec::new(),
            ));
            continue;
        }
        match files.last_mut() {
            Some((_, content)) => content.extend_from_slice(line),
            None => {
                // Header lines: key=value, with an optional `  # comment`.
                let Some(eq) = trimmed.iter().position(|&b| b == b'=') else {
                    continue;
                };
                let key = String::from_utf8(trimmed[..eq].to_vec())
                    .unwrap()
                    .trim()
                    .to_owned();
                let mut value = trimmed[eq + 1..].to_vec();
                if let Some(comment) = value.windows(2).position(|pair| pair == b" #") {
                    value.truncate(comment);
                }
                while value.last().is_some_and(u8::is_ascii_whitespace) {
                    value.pop();
                }
                header.push((key, value));
            }
        }
    }
    Case {
        name: path.display().to_string(),
        header,
        files,
    }
}

fn cases(dir: &str) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(testdata().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {dir}");
    paths.iter().map(|path| parse_txtar(path)).collect()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Writes a zip of stored entries, in the given order, duplicates allowed.
fn raw_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 names
        common.extend_from_slice(&0u16.to_le_bytes()); // stored
        common.extend_from_slice(&0u32.to_le_bytes()); // time and date
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes()); // version made by
        directory.extend_from_slice(&common);
        directory.extend_from_slice(&0u16.to_le_bytes()); // comment length
        directory.extend_from_slice(&0u16.to_le_bytes()); // disk
        directory.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let directory_offset = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn render(checked: &CheckedFiles) -> String {
    let mut out = String::from("valid:\n");
    for path in &checked.valid {
        out.push_str(path);
        out.push('\n');
    }
    out.push_str("\nomitted:\n");
    for error in &checked.omitted {
        out.push_str(&format!("{error}\n"));
    }
    out.push_str("\ninvalid:\n");
    for error in &checked.invalid {
        out.push_str(&format!("{error}\n"));
    }
    out
}

fn want_section(case: &Case) -> (String, Vec<(String, Vec<u8>)>) {
    let (first, rest) = case.files.split_first().unwrap();
    assert_eq!(first.0, "want", "{}", case.name);
    (String::from_utf8(first.1.clone()).unwrap(), rest.to_vec())
}

#[test]
fn check_zip_cases() {
    for case in cases("check_zip") {
        let (want, files) = want_section(&case);
        let zip = raw_zip(&files);
        let checked = modzip::check_zip(
            case.get("path").unwrap(),
            &case.text("version").unwrap(),
            Cursor::new(zip),
        )
        .unwrap_or_else(|error| panic!("{}: {error}", case.name));
        assert_eq!(
            render(&checked).trim_end(),
            want.trim_end(),
            "{}",
            case.name
        );
    }
}

#[test]
fn check_files_cases() {
    for case in cases("check_files") {
        let (want, files) = want_section(&case);
        let checked = modzip::check_files(&files);
        assert_eq!(
            render(&checked).trim_end(),
            want.trim_end(),
            "{}",
            case.name
        );
    }
}

/// Checks an outcome against the case's `hash=` or `wantErr=`.
fn expect(case: &Case, outcome: Result<String, String>) {
    if !case.files.is_empty() {
        // Hashing the same zip's entries on several threads gives the same answer, error included.
        let zip = raw_zip(&case.files);
        let sequential = dirhash::hash_zip(Cursor::new(zip.clone())).map_err(|e| e.to_string());
        for threads in [2, 3] {
            let parallel =
                dirhash::hash_zip_on_threads(|| Ok(Cursor::new(zip.as_slice())), threads)
                    .map_err(|e| e.to_string());
            assert_eq!(parallel, sequential, "{} on {threads} threads", case.name);
        }
    }
    match (case.text("hash"), case.text("wantErr"), outcome) {
        (Some(hash), None, Ok(got)) => assert_eq!(got, hash, "{}", case.name),
        (None, Some(want), Err(got)) => assert!(
            got.contains(&want),
            "{}: error {got:?} does not contain {want:?}",
            case.name
        ),
        (hash, want, got) => panic!(
            "{}: want hash {hash:?} / error {want:?}, got {got:?}",
            case.name
        ),
    }
}

#[test]
fn unzip_cases() {
    for case in cases("unzip") {
        let zip = raw_zip(&case.files);
        let path = case.get("path").unwrap().to_vec();
        let version = case.text("version").unwrap();
        let outcome = modzip::verify_zip(&path, &version, Cursor::new(zip.clone()))
            .map_err(|error| error.to_string());
        if let Ok(hash) = &outcome {
            // A zip that passes hashes the same through the plain hasher.
            assert_eq!(
                dirhash::hash_zip(Cursor::new(zip)).unwrap(),
                *hash,
                "{}",
                case.name
            );
        }
        expect(&case, outcome);
    }
}

#[test]
fn create_cases() {
    for case in cases("create") {
        let path = case.get("path").unwrap().to_vec();
        let version = case.text("version").unwrap();
        let outcome = (|| {
            modzip::check_module_version(&path, &version).map_err(|error| error.to_string())?;
            let checked = modzip::check_files(&case.files);
            if let Some(error) = checked.error() {
                return Err(error.to_string());
            }
            // The zip Go would create: the valid files under the module@version/ prefix.
            let prefix = format!("{}@{version}/", String::from_utf8(path.clone()).unwrap());
            let entries: Vec<(String, Vec<u8>)> = checked
                .valid
                .iter()
                .map(|name| {
                    let data = case
                        .files
                        .iter()
                        .find(|(file, _)| file == name)
                        .unwrap()
                        .1
                        .clone();
                    (format!("{prefix}{name}"), data)
                })
                .collect();
            modzip::verify_zip(&path, &version, Cursor::new(raw_zip(&entries)))
                .map_err(|error| error.to_string())
        })();
        expect(&case, outcome);
    }
}

#[test]
fn duplicate_names_hash_like_go() {
    // Go lists both names and hashes the last entry's content for both.
    let zip = raw_zip(&[
        ("a".to_owned(), b"one".to_vec()),
        ("a".to_owned(), b"two".to_vec()),
    ]);
    let expected = dirhash::hash1(&[("a", b"two".as_slice()), ("a", b"two".as_slice())]).unwrap();
    assert_eq!(
        dirhash::hash_zip(Cursor::new(zip.clone())).unwrap(),
        expected
    );
    assert_eq!(
        dirhash::hash_zip_on_threads(|| Ok(Cursor::new(zip.as_slice())), 2).unwrap(),
        expected
    );
}

#[test]
fn directory_entries_count_in_the_hash() {
    let with_dir = raw_zip(&[
        ("m@v1.0.0/d/".to_owned(), Vec::new()),
        ("m@v1.0.0/d/a".to_owned(), b"x".to_vec()),
    ]);
    let without = raw_zip(&[("m@v1.0.0/d/a".to_owned(), b"x".to_vec())]);
    let expected = dirhash::hash1(&[
        ("m@v1.0.0/d/", b"".as_slice()),
        ("m@v1.0.0/d/a", b"x".as_slice()),
    ])
    .unwrap();
    assert_eq!(dirhash::hash_zip(Cursor::new(with_dir)).unwrap(), expected);
    assert_ne!(dirhash::hash_zip(Cursor::new(without)).unwrap(), expected);
}

#[test]
fn content_must_match_the_header() {
    let mut zip = raw_zip(&[(
        "example.com/m@v1.0.0/a.go".to_owned(),
        b"package a\n".to_vec(),
    )]);
    // Flip a content byte: the CRC no longer matches.
    let at = zip
        .windows(7)
        .position(|window| window == b"package")
        .unwrap();
    zip[at] = b'P';
    let error = modzip::verify_zip("example.com/m", "v1.0.0", Cursor::new(zip)).unwrap_err();
    assert_eq!(error.to_string(), "zip: checksum error");
}

#[test]
fn zip_size_limit() {
    // A sparse reader that claims to be larger than Go's limit; only its size is looked at.
    struct Huge;
    impl std::io::Read for Huge {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Ok(0)
        }
    }
    impl std::io::Seek for Huge {
        fn seek(&mut self, position: std::io::SeekFrom) -> std::io::Result<u64> {
            Ok(match position {
                std::io::SeekFrom::End(_) => modzip::MAX_ZIP_FILE + 1,
                _ => 0,
            })
        }
    }
    let error = modzip::check_zip("example.com/m", "v1.0.0", Huge).unwrap_err();
    assert_eq!(
        error.to_string(),
        "module zip file is too large (524288001 bytes; limit is 524288000 bytes)"
    );
}

#[test]
fn on_threads_the_first_failing_entry_in_zip_order_decides_the_error() {
    // Entry 1's content no longer matches its CRC; entry 2 is a directory carrying data. On two
    // threads they fall to different threads, and the answer must still be entry 1's error.
    let mut zip = raw_zip(&[
        ("m@v1.0.0/a".to_owned(), b"first".to_vec()),
        ("m@v1.0.0/b".to_owned(), b"second-content".to_vec()),
        ("m@v1.0.0/d/".to_owned(), b"data in a directory".to_vec()),
    ]);
    let at = zip
        .windows(b"second-content".len())
        .position(|window| window == b"second-content")
        .unwrap();
    zip[at] = b'S';
    let sequential = dirhash::hash_zip(Cursor::new(zip.clone()))
        .unwrap_err()
        .to_string();
    assert_eq!(sequential, "zip: checksum error");
    for threads in [2, 3] {
        let parallel = dirhash::hash_zip_on_threads(|| Ok(Cursor::new(zip.as_slice())), threads)
            .unwrap_err()
            .to_string();
        assert_eq!(parallel, sequential, "on {threads} threads");
    }
}
