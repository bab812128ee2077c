//! `invalid-sum-hash`: a go.sum hash go can never match. An `h1:` hash must be the standard
//! base64 encoding (with padding) of a 32-byte SHA-256 sum; any other `h1:` value makes every
//! download of the module fail its checksum (an error). A hash with another algorithm prefix
//! (`h2:`) is kept by go but never checked (a warning).

use super::{CodeInfo, Diagnostic, Severity, Source};

use crate::gosum::{HashError, SumLineRef, check_hash};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-sum-hash",
    source: Source::Gomodls,
    summary: "a go.sum hash that is not a base64 SHA-256 h1: hash",
    url: "https://go.dev/ref/mod#go-sum-files",
};

pub(super) fn check(lines: &[SumLineRef<'_>], out: &mut Vec<Diagnostic>) {
    for line in lines {
        if is_well_formed_h1(&line.hash) {
            continue;
        }
        let Err(error) = check_hash(&line.hash) else {
            continue;
        };
        let (severity, message) = match error {
            HashError::UnknownAlgorithm(_) => (
                Severity::Warning,
                format!("{error}: go checks only h1: hashes and ignores this one"),
            ),
            HashError::MalformedH1(_) => (
                Severity::Error,
                format!("{error}: no download can match it"),
            ),
        };
        out.push(Diagnostic::new(
            &CODE,
            severity,
            line.hash_range.clone(),
            message,
        ));
    }
}

/// The common case without allocating or decoding: `h1:`, 43 characters of the standard base64
/// alphabet and one `=` (the padded encoding of 32 bytes), the last character holding no bits
/// past the 256th (`check_hash` rejects those). Anything else goes to [`check_hash`] for its
/// verdict and message.
fn is_well_formed_h1(hash: &str) -> bool {
    let Some(encoded) = hash.strip_prefix("h1:") else {
        return false;
    };
    let [body @ .., last, b'='] = encoded.as_bytes() else {
        return false;
    };
    let in_alphabet = |byte: u8| IN_ALPHABET.get(usize::from(byte)) == Some(&true);
    body.len() == 42
        && body.iter().all(|&byte| in_alphabet(byte))
        && base64_value(*last).is_some_and(|value| value & 0b11 == 0)
}

/// Which bytes are characters of the standard base64 alphabet (a table: one load a byte).
const IN_ALPHABET: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = base64_value(byte as u8).is_some();
        byte += 1;
    }
    table
};

/// The value of a character of the standard base64 alphabet.
const fn base64_value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_well_formed_h1;
    use crate::gosum::check_hash;

    #[test]
    fn the_fast_path_agrees_with_check_hash() {
        let good = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let mut hashes: Vec<String> = [
            good,
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==",
            "h1:AAAA",
            "h2:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=x",
            "h1:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
        ]
        .iter()
        .map(|hash| (*hash).to_owned())
        .collect();
        // Every byte in the first and in the last two places of the encoding.
        for place in [3, good.len() - 2, good.len() - 1] {
            for byte in 0u8..0x80 {
                let mut bytes = good.as_bytes().to_vec();
                bytes[place] = byte;
                hashes.push(String::from_utf8(bytes).unwrap());
            }
        }
        for hash in &hashes {
            assert_eq!(is_well_formed_h1(hash), check_hash(hash).is_ok(), "{hash}");
        }
        assert!(is_well_formed_h1(good));
    }
}
