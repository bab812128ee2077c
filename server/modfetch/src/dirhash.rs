//! The `h1:` hashes that go.sum files and the checksum database record, computed exactly as the
//! go command computes them (`x/mod/sumdb/dirhash`).
//!
//! `h1:` is the standard base64 of SHA-256 over a summary with one line per file, sorted by name
//! bytewise: the file's SHA-256 in lowercase hex, two spaces, the name, a newline. For a module zip
//! the names are the zip entry names exactly as stored, directory entries included.

use std::fmt::Write as _;
use std::io::{Read, Seek};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::zipdir;

/// Why an `h1:` hash could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// A file name contains a newline, which the summary format cannot represent.
    #[error("dirhash: filenames with newlines are not supported")]
    NewlineInName,
    /// Reading the data failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The zip archive is malformed.
    #[error("{0}")]
    Zip(String),
}

/// A file's name and the SHA-256 of its content, the unit of an `h1:` summary.
pub type FileDigest = (Vec<u8>, [u8; 32]);

/// Computes `h1:` over named file contents (Go's `dirhash.Hash1`).
pub fn hash1<N: AsRef<[u8]>, D: AsRef<[u8]>>(files: &[(N, D)]) -> Result<String, HashError> {
    let digests = files
        .iter()
        .map(|(name, data)| (name.as_ref().to_vec(), Sha256::digest(data.as_ref()).into()))
        .collect();
    hash1_from_digests(digests)
}

/// Computes `h1:` from file names and the SHA-256 of each file's content, for callers that hash
/// content as it streams by.
pub fn hash1_from_digests(mut digests: Vec<FileDigest>) -> Result<String, HashError> {
    if digests.iter().any(|(name, _)| name.contains(&b'\n')) {
        return Err(HashError::NewlineInName);
    }
    digests.sort_by(|left, right| left.0.cmp(&right.0));
    let mut summary = Sha256::new();
    let mut hex = String::with_capacity(64);
    for (name, digest) in &digests {
        hex.clear();
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        summary.update(hex.as_bytes());
        summary.update(b"  ");
        summary.update(name);
        summary.update(b"\n");
    }
    Ok(format!("h1:{}", STANDARD.encode(summary.finalize())))
}

/// Computes the `/go.mod` hash of go.mod content as served by a proxy's `.mod` endpoint.
pub fn hash_go_mod(go_mod: &[u8]) -> String {
    // A single name without a newline cannot fail.
    hash1(&[("go.mod", go_mod)]).unwrap_or_default()
}

/// Computes the `h1:` hash of a module zip (Go's `dirhash.HashZip`), reading one entry at a time.
///
/// Every entry counts, directory entries included (with empty content). When a name occurs twice
/// Go hashes the content of the last entry with that name for both lines; so do we.
pub fn hash_zip<R: Read + Seek>(mut reader: R) -> Result<String, HashError> {
    let records = zipdir::read_central_directory(&mut reader)?;
    reader.rewind()?;
    let digests = zipdir::digest_contents(reader)?;
    hash1_from_digests(zipdir::record_digests(&records, &digests)?)
}

/// Zips whose declared content is smaller than this are hashed on one thread: starting threads
/// would cost more than it saves.
const PARALLEL_MIN_BYTES: u64 = 1 << 20;

/// [`hash_zip`] for a zip that can be opened more than once (a file by its path, or bytes in
/// memory): `open` gives a fresh reader each time, and the entries of a large zip are hashed on
/// as many threads as the machine has cores (at most four), each entry still streamed. The answer,
/// errors included, is the one [`hash_zip`] gives.
pub fn hash_zip_parallel<R, F>(open: F) -> Result<String, HashError>
where
    R: Read + Seek,
    F: Fn() -> std::io::Result<R> + Sync,
{
    let records = zipdir::read_central_directory(&mut open()?)?;
    let content: u64 = records.iter().map(|record| record.size).sum();
    let threads = if content < PARALLEL_MIN_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |cores| cores.get().min(4))
    };
    hash_records_on_threads(&records, open, threads)
}

/// [`hash_zip_parallel`] on exactly `threads` threads (fewer when the zip has fewer entries),
/// whatever the zip's size.
pub fn hash_zip_on_threads<R, F>(open: F, threads: usize) -> Result<String, HashError>
where
    R: Read + Seek,
    F: Fn() -> std::io::Result<R> + Sync,
{
    let records = zipdir::read_central_directory(&mut open()?)?;
    hash_records_on_threads(&records, open, threads)
}

fn hash_records_on_threads<R, F>(
    records: &[zipdir::ZipRecord],
    open: F,
    threads: usize,
) -> Result<String, HashError>
where
    R: Read + Seek,
    F: Fn() -> std::io::Result<R> + Sync,
{
    let digests = zipdir::digest_contents_parallel(open, threads)?;
    hash1_from_digests(zipdir::record_digests(records, &digests)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_summary_is_sha256_of_nothing() {
        let empty: [(&str, &[u8]); 0] = [];
        assert_eq!(
            hash1(&empty).unwrap(),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn go_mod_hash_matches_the_go_command() {
        // The value the go command printed for this go.mod (doc section 12.2).
        assert_eq!(
            hash_go_mod(b"module example.com/hello\n\ngo 1.21\n"),
            "h1:NnGvEkTHyKKlgPcQSue0skqyqiS1EfBSAh+0WaWZYmE="
        );
    }

    #[test]
    fn names_with_newlines_are_refused() {
        let files = [("a\nb", b"x".as_slice())];
        assert_eq!(
            hash1(&files).unwrap_err().to_string(),
            "dirhash: filenames with newlines are not supported"
        );
    }

    #[test]
    fn order_of_files_does_not_matter() {
        let one = hash1(&[("b", "2"), ("a", "1")]).unwrap();
        let two = hash1(&[("a", "1"), ("b", "2")]).unwrap();
        assert_eq!(one, two);
    }
}
