//! `invalid-sum-hash`: a go.sum hash go can never match. An `h1:` hash must be the standard
//! base64 encoding (with padding) of a 32-byte SHA-256 sum; any other `h1:` value makes every
//! download of the module fail its checksum (an error). A hash with another algorithm prefix
//! (`h2:`) is kept by go but never checked (a warning).

use super::{CodeInfo, Diagnostic, Severity, Source};
use base64::Engine as _;

use crate::gosum::{GoSum, HashError, check_hash};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-sum-hash",
    source: Source::Gomodls,
    summary: "a go.sum hash that is not a base64 SHA-256 h1: hash",
    url: "https://go.dev/ref/mod#go-sum-files",
};

pub(super) fn check(sum: &GoSum, out: &mut Vec<Diagnostic>) {
    for line in &sum.lines {
        if is_well_formed_h1(&line.sum.hash) {
            continue;
        }
        let Err(error) = check_hash(&line.sum.hash) else {
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

/// The common case without allocating: `h1:` and 44 base64 characters that decode to exactly 32
/// bytes. Anything else goes to [`check_hash`] for its verdict and message.
fn is_well_formed_h1(hash: &str) -> bool {
    let Some(encoded) = hash.strip_prefix("h1:") else {
        return false;
    };
    let mut decoded = [0u8; 33];
    encoded.len() == 44
        && base64::engine::general_purpose::STANDARD
            .decode_slice(encoded, &mut decoded)
            .is_ok_and(|length| length == 32)
}

#[cfg(test)]
mod tests {
    use super::is_well_formed_h1;
    use crate::gosum::check_hash;

    #[test]
    fn the_fast_path_agrees_with_check_hash() {
        for hash in [
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==",
            "h1:AAAA",
            "h2:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=x",
        ] {
            if is_well_formed_h1(hash) {
                assert!(check_hash(hash).is_ok(), "{hash}");
            }
        }
        assert!(is_well_formed_h1(
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        ));
    }
}
