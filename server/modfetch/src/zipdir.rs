//! Lists every record of a zip's central directory, duplicates included.
//!
//! The `zip` crate keys entries by name, so two entries with the same name become one (the last
//! one's data at the first one's position). Go sees both: its zip checks report "multiple entries
//! for file", and its `h1:` hash has a line for each. So the names, sizes and order come from this
//! small central directory reader, and the contents from the `zip` crate, which (like Go, which
//! opens entries through a name map) yields the last entry of each name.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};

use crate::dirhash::HashError;

/// One central directory record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZipRecord {
    /// The entry name exactly as stored.
    pub(crate) name: Vec<u8>,
    /// The declared uncompressed size.
    pub(crate) size: u64,
    /// The declared compressed size.
    pub(crate) compressed_size: u64,
}

const END_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const RECORD_SIGNATURE: u32 = 0x0201_4b50;
const END_LENGTH: u64 = 22;
const RECORD_LENGTH: usize = 46;

fn not_valid() -> HashError {
    HashError::Zip("zip: not a valid zip file".to_owned())
}

/// Little-endian field reader over a byte slice that fails instead of panicking.
struct Fields<'a> {
    bytes: &'a [u8],
}

impl<'a> Fields<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], HashError> {
        let (head, rest) = self.bytes.split_at_checked(count).ok_or_else(not_valid)?;
        self.bytes = rest;
        Ok(head)
    }

    fn u16(&mut self) -> Result<u16, HashError> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().map_err(|_| not_valid())?,
        ))
    }

    fn u32(&mut self) -> Result<u32, HashError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| not_valid())?,
        ))
    }

    fn u64(&mut self) -> Result<u64, HashError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| not_valid())?,
        ))
    }
}

fn read_at<R: Read + Seek>(reader: &mut R, offset: u64, length: u64) -> Result<Vec<u8>, HashError> {
    reader.seek(SeekFrom::Start(offset))?;
    let mut data = Vec::new();
    reader.take(length).read_to_end(&mut data)?;
    if data.len() as u64 != length {
        return Err(not_valid());
    }
    Ok(data)
}

/// Reads all central directory records, in order.
pub(crate) fn read_central_directory<R: Read + Seek>(
    reader: &mut R,
) -> Result<Vec<ZipRecord>, HashError> {
    let size = reader.seek(SeekFrom::End(0))?;
    let tail_length = size.min(END_LENGTH + u64::from(u16::MAX));
    let tail = read_at(reader, size - tail_length, tail_length)?;
    // The end record is the last signature whose comment fits exactly in what follows it.
    let end = (0..tail.len().saturating_sub(END_LENGTH as usize - 1))
        .rev()
        .find(|&position| {
            let Some(record) = tail.get(position..) else {
                return false;
            };
            let mut fields = Fields { bytes: record };
            let Ok(signature) = fields.u32() else {
                return false;
            };
            let comment_length = record
                .get(20..22)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_le_bytes);
            signature == END_SIGNATURE
                && comment_length.is_some_and(|length| {
                    position + END_LENGTH as usize + usize::from(length) <= tail.len()
                })
        })
        .ok_or_else(not_valid)?;
    let end_offset = size - tail_length + end as u64;
    let mut fields = Fields {
        bytes: tail.get(end + 4..).unwrap_or_default(),
    };
    let _disk = fields.u16()?;
    let _directory_disk = fields.u16()?;
    let _entries_here = fields.u16()?;
    let mut count = u64::from(fields.u16()?);
    let mut directory_size = u64::from(fields.u32()?);
    let mut directory_offset = u64::from(fields.u32()?);

    if (count == 0xffff || directory_size == 0xffff_ffff || directory_offset == 0xffff_ffff)
        && let Some(locator_offset) = end_offset.checked_sub(20)
    {
        let locator = read_at(reader, locator_offset, 20)?;
        let mut fields = Fields { bytes: &locator };
        if fields.u32()? == ZIP64_LOCATOR_SIGNATURE {
            let _disk = fields.u32()?;
            let zip64_end_offset = fields.u64()?;
            let zip64_end = read_at(reader, zip64_end_offset, 56)?;
            let mut fields = Fields { bytes: &zip64_end };
            if fields.u32()? != ZIP64_END_SIGNATURE {
                return Err(not_valid());
            }
            let _record_size = fields.u64()?;
            let _versions = fields.u32()?;
            let _disks = fields.u64()?;
            let _entries_here = fields.u64()?;
            count = fields.u64()?;
            directory_size = fields.u64()?;
            directory_offset = fields.u64()?;
        }
    }
    if directory_offset
        .checked_add(directory_size)
        .is_none_or(|directory_end| directory_end > size)
    {
        return Err(not_valid());
    }
    let directory = read_at(reader, directory_offset, directory_size)?;
    let mut fields = Fields { bytes: &directory };
    let mut records = Vec::new();
    for _ in 0..count {
        let header = fields.take(RECORD_LENGTH)?;
        let mut header_fields = Fields { bytes: header };
        if header_fields.u32()? != RECORD_SIGNATURE {
            return Err(not_valid());
        }
        header_fields.take(16)?;
        let mut compressed_size = u64::from(header_fields.u32()?);
        let mut size = u64::from(header_fields.u32()?);
        let name_length = usize::from(header_fields.u16()?);
        let extra_length = usize::from(header_fields.u16()?);
        let comment_length = usize::from(header_fields.u16()?);
        let name = fields.take(name_length)?.to_vec();
        let extra = fields.take(extra_length)?;
        fields.take(comment_length)?;
        read_zip64_sizes(extra, &mut size, &mut compressed_size)?;
        records.push(ZipRecord {
            name,
            size,
            compressed_size,
        });
    }
    Ok(records)
}

/// Replaces 32-bit sizes saturated at `0xffffffff` with the 64-bit ones of the ZIP64 extra field.
fn read_zip64_sizes(
    extra: &[u8],
    size: &mut u64,
    compressed_size: &mut u64,
) -> Result<(), HashError> {
    let mut fields = Fields { bytes: extra };
    while fields.bytes.len() >= 4 {
        let tag = fields.u16()?;
        let length = usize::from(fields.u16()?);
        let Ok(body) = fields.take(length) else {
            // Go ignores a truncated extra field.
            return Ok(());
        };
        if tag != 0x0001 {
            continue;
        }
        let mut body = Fields { bytes: body };
        if *size == 0xffff_ffff {
            *size = body.u64()?;
        }
        if *compressed_size == 0xffff_ffff {
            *compressed_size = body.u64()?;
        }
    }
    Ok(())
}

/// The SHA-256 of each entry's content by raw name, reading each entry once; for a repeated
/// name, the last entry's content (the one Go opens). Content must match the declared size.
pub(crate) fn digest_contents<R: Read + Seek>(
    reader: R,
) -> Result<HashMap<Vec<u8>, [u8; 32]>, HashError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_error)?;
    let indexes: Vec<usize> = (0..archive.len()).collect();
    let digests = digest_entries(&mut archive, &indexes).map_err(|(_, error)| error)?;
    Ok(in_entry_order(digests, archive.len()))
}

/// [`digest_contents`] over several readers of the same zip, the entries shared out among up to
/// `threads` threads (one reader each, from `open`). The answer, errors included, is the one
/// [`digest_contents`] gives: the error of the first entry, in zip order, that has one.
pub(crate) fn digest_contents_parallel<R, F>(
    open: F,
    threads: usize,
) -> Result<HashMap<Vec<u8>, [u8; 32]>, HashError>
where
    R: Read + Seek,
    F: Fn() -> std::io::Result<R> + Sync,
{
    let archive = zip::ZipArchive::new(open()?).map_err(zip_error)?;
    let count = archive.len();
    drop(archive);
    let threads = threads.clamp(1, count.max(1));
    if threads == 1 {
        return digest_contents(open()?);
    }
    let open = &open;
    let results: Vec<Result<Vec<EntryDigest>, (usize, HashError)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                scope.spawn(move || {
                    // Entries dealt round-robin, so threads share large and small files alike.
                    let indexes: Vec<usize> = (worker..count).step_by(threads).collect();
                    let first = indexes.first().copied().unwrap_or(0);
                    let reader = open().map_err(|error| (first, HashError::Io(error)))?;
                    let mut archive =
                        zip::ZipArchive::new(reader).map_err(|error| (first, zip_error(error)))?;
                    digest_entries(&mut archive, &indexes)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err((0, HashError::Zip("zip: hashing thread failed".to_owned())))
                })
            })
            .collect()
    });
    let mut digests = Vec::with_capacity(count);
    let mut first_error: Option<(usize, HashError)> = None;
    for result in results {
        match result {
            Ok(part) => digests.extend(part),
            Err((index, error)) => {
                if first_error.as_ref().is_none_or(|(first, _)| index < *first) {
                    first_error = Some((index, error));
                }
            }
        }
    }
    if let Some((_, error)) = first_error {
        return Err(error);
    }
    Ok(in_entry_order(digests, count))
}

/// An entry's index in the zip, raw name and content digest.
type EntryDigest = (usize, Vec<u8>, [u8; 32]);

/// The digests by name, a later entry replacing an earlier one of the same name.
fn in_entry_order(mut digests: Vec<EntryDigest>, count: usize) -> HashMap<Vec<u8>, [u8; 32]> {
    digests.sort_by_key(|(index, _, _)| *index);
    let mut by_name = HashMap::with_capacity(count);
    for (_, name, digest) in digests {
        by_name.insert(name, digest);
    }
    by_name
}

/// Digests the entries at `indexes` (ascending), stopping at the first entry that fails, whose
/// index comes with the error.
fn digest_entries<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    indexes: &[usize],
) -> Result<Vec<EntryDigest>, (usize, HashError)> {
    let mut digests = Vec::with_capacity(indexes.len());
    let mut buffer = vec![0u8; 64 * 1024];
    for &index in indexes {
        let digest = digest_entry(archive, index, &mut buffer).map_err(|error| (index, error))?;
        digests.push((index, digest.0, digest.1));
    }
    Ok(digests)
}

fn digest_entry<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    buffer: &mut [u8],
) -> Result<(Vec<u8>, [u8; 32]), HashError> {
    let entry = archive.by_index(index).map_err(zip_error)?;
    let name = entry.name_raw().to_vec();
    let declared = entry.size();
    // Go refuses to open a directory entry that carries data.
    if name.ends_with(b"/") && entry.compressed_size() != 0 {
        return Err(not_valid());
    }
    let mut hasher = Sha256::new();
    let mut limited = entry.take(declared.saturating_add(1));
    let mut total: u64 = 0;
    loop {
        let read = limited.read(buffer).map_err(content_error)?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > declared {
            // More data than the header declares.
            return Err(not_valid());
        }
        hasher.update(buffer.get(..read).unwrap_or_default());
    }
    if total < declared {
        return Err(HashError::Zip("unexpected EOF".to_owned()));
    }
    Ok((name, hasher.finalize().into()))
}

fn content_error(error: std::io::Error) -> HashError {
    if error.kind() == std::io::ErrorKind::InvalidData
        && error.to_string().to_lowercase().contains("checksum")
    {
        return HashError::Zip("zip: checksum error".to_owned());
    }
    HashError::Io(error)
}

/// Converts a zip reader error into Go's wording where one exists.
pub(crate) fn zip_error(error: zip::result::ZipError) -> HashError {
    match error {
        zip::result::ZipError::Io(io) => content_error(io),
        zip::result::ZipError::UnsupportedArchive(_) => {
            HashError::Zip("zip: unsupported compression algorithm".to_owned())
        }
        _ => not_valid(),
    }
}

/// Combines central directory records with content digests into the `h1:` input: one line per
/// record, duplicates included.
pub(crate) fn record_digests(
    records: &[ZipRecord],
    digests: &HashMap<Vec<u8>, [u8; 32]>,
) -> Result<Vec<crate::dirhash::FileDigest>, HashError> {
    records
        .iter()
        .map(|record| {
            digests
                .get(&record.name)
                .map(|digest| (record.name.clone(), *digest))
                .ok_or_else(not_valid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    #[test]
    fn lists_what_the_zip_crate_wrote() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer.start_file("m@v1.0.0/a.go", options).unwrap();
        writer.write_all(b"package a\n").unwrap();
        writer.add_directory("m@v1.0.0/d/", options).unwrap();
        writer.set_comment("a comment");
        let mut cursor = writer.finish().unwrap();
        let records = read_central_directory(&mut cursor).unwrap();
        let names: Vec<&[u8]> = records
            .iter()
            .map(|record| record.name.as_slice())
            .collect();
        assert_eq!(names, [b"m@v1.0.0/a.go".as_slice(), b"m@v1.0.0/d/"]);
        assert_eq!(records[0].size, 10);
        assert_eq!(records[1].size, 0);
    }

    #[test]
    fn garbage_is_not_a_zip() {
        let error =
            read_central_directory(&mut Cursor::new(b"not a zip at all".to_vec())).unwrap_err();
        assert_eq!(error.to_string(), "zip: not a valid zip file");
        let error = read_central_directory(&mut Cursor::new(Vec::new())).unwrap_err();
        assert_eq!(error.to_string(), "zip: not a valid zip file");
    }
}
