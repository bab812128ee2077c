//! Signed notes (`x/mod/sumdb/note`): the text-plus-signatures format in which a checksum
//! database publishes its tree heads.
//!
//! A note is UTF-8 text ending in a newline, a blank line, and signature lines
//! `— NAME BASE64` (U+2014 EM DASH). Each signature decodes to a 4-byte big-endian key hash
//! followed by an Ed25519 signature over the text. Keys are written `NAME+HASH+KEYDATA`
//! (verifier) and `PRIVATE+KEY+NAME+HASH+KEYDATA` (signer), KEYDATA being base64 of the algorithm
//! byte 1 and the 32-byte key. Error texts are Go's.

use std::collections::HashSet;

use base64::Engine as _;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Go's `base64.StdEncoding`: padded, and lenient about the unused bits of the last character.
pub(crate) const GO_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

const ALGORITHM_ED25519: u8 = 1;
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a key or note was rejected; the texts are Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key does not have the `NAME+HASH+KEYDATA` shape.
    #[error("malformed verifier id")]
    MalformedVerifierId,
    /// A key names an algorithm other than Ed25519.
    #[error("unknown verifier algorithm")]
    UnknownVerifierAlgorithm,
    /// A key's hash does not match its name and key data.
    #[error("invalid verifier hash")]
    InvalidVerifierHash,
    /// A signer has an invalid name.
    #[error("invalid signer")]
    InvalidSigner,
    /// The note is not well-formed.
    #[error("malformed note")]
    MalformedNote,
    /// No known key signed the note.
    #[error("note has no verifiable signatures")]
    Unverified(Box<Note>),
    /// A known key's signature does not verify.
    #[error("invalid signature for key {name}+{hash:08x}")]
    InvalidSignature {
        /// The key name.
        name: String,
        /// The key hash.
        hash: u32,
    },
    /// Two known keys have the same name and hash.
    #[error("ambiguous key {name}+{hash:08x}")]
    AmbiguousKey {
        /// The key name.
        name: String,
        /// The key hash.
        hash: u32,
    },
}

/// Computes a key hash: the first four bytes, big-endian, of SHA-256 over the name, a newline and
/// the key data (algorithm byte included).
pub fn key_hash(name: &str, key_data: &[u8]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update(key_data);
    let digest = hasher.finalize();
    u32::from_be_bytes(digest.first_chunk::<4>().copied().unwrap_or_default())
}

/// Reports whether a key name is valid: non-empty, without spaces or `+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_whitespace) && !name.contains('+')
}

/// Parses an 8-digit hex key hash as Go's `strconv.ParseUint(s, 16, 32)` with a length check.
fn parse_key_hash(text: &str) -> Option<u32> {
    if text.len() != 8 {
        return None;
    }
    u32::from_str_radix(text, 16)
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A public key that verifies one database's signatures.
#[derive(Debug, Clone)]
pub struct Verifier {
    name: String,
    hash: u32,
    /// `None` when the 32 bytes are not a valid curve point: Go accepts such a key, and no
    /// signature ever verifies with it.
    key: Option<VerifyingKey>,
}

impl Verifier {
    /// Parses a verifier key `NAME+HASH+KEYDATA` as Go's `note.NewVerifier` does.
    pub fn new(verifier_key: &str) -> Result<Verifier, NoteError> {
        let (name, rest) = verifier_key.split_once('+').unwrap_or((verifier_key, ""));
        let (hash_text, key_text) = rest.split_once('+').unwrap_or((rest, ""));
        let hash = parse_key_hash(hash_text);
        let key = GO_BASE64.decode(key_text).ok();
        let (Some(hash), Some(key)) = (hash, key) else {
            return Err(NoteError::MalformedVerifierId);
        };
        if !is_valid_name(name) || key.is_empty() {
            return Err(NoteError::MalformedVerifierId);
        }
        if hash != key_hash(name, &key) {
            return Err(NoteError::InvalidVerifierHash);
        }
        let (&algorithm, public) = key.split_first().ok_or(NoteError::MalformedVerifierId)?;
        if algorithm != ALGORITHM_ED25519 {
            return Err(NoteError::UnknownVerifierAlgorithm);
        }
        let public: [u8; 32] = public
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierId)?;
        Ok(Verifier {
            name: name.to_owned(),
            hash,
            key: VerifyingKey::from_bytes(&public).ok(),
        })
    }

    /// The database name the key belongs to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash.
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// Reports whether `signature` is a valid signature of `message` by this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let (Some(key), Ok(signature)) = (&self.key, <[u8; 64]>::try_from(signature)) else {
            return false;
        };
        // Plain (cofactorless) verification, as Go's crypto/ed25519 does.
        ed25519_dalek::Verifier::verify(
            key,
            message,
            &ed25519_dalek::Signature::from_bytes(&signature),
        )
        .is_ok()
    }
}

/// A private key that signs notes for one database.
#[derive(Debug, Clone)]
pub struct Signer {
    name: String,
    hash: u32,
    key: SigningKey,
}

impl Signer {
    /// Parses a signer key `PRIVATE+KEY+NAME+HASH+KEYDATA` as Go's `note.NewSigner` does.
    pub fn new(signer_key: &str) -> Result<Signer, NoteError> {
        let mut fields = signer_key.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(hash_text), Some(key_text)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(NoteError::MalformedVerifierId);
        };
        let (Some(hash), Ok(key)) = (parse_key_hash(hash_text), GO_BASE64.decode(key_text)) else {
            return Err(NoteError::MalformedVerifierId);
        };
        if !is_valid_name(name) || key.is_empty() {
            return Err(NoteError::MalformedVerifierId);
        }
        let (&algorithm, seed) = key.split_first().ok_or(NoteError::MalformedVerifierId)?;
        if algorithm != ALGORITHM_ED25519 {
            return Err(NoteError::UnknownVerifierAlgorithm);
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierId)?;
        let signer = Signer::from_seed(name, seed)?;
        if signer.hash != hash {
            return Err(NoteError::InvalidVerifierHash);
        }
        Ok(signer)
    }

    /// Makes a signer for `name` from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Signer, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidSigner);
        }
        let key = SigningKey::from_bytes(&seed);
        let hash = key_hash(name, &public_key_data(&key));
        Ok(Signer {
            name: name.to_owned(),
            hash,
            key,
        })
    }

    /// The database name the key belongs to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash (of the public key).
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// The encoded signer key, `PRIVATE+KEY+NAME+HASH+KEYDATA`.
    pub fn signer_key(&self) -> String {
        let mut data = vec![ALGORITHM_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.hash,
            GO_BASE64.encode(data)
        )
    }

    /// The encoded verifier key for this signer, `NAME+HASH+KEYDATA`.
    pub fn verifier_key(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.hash,
            GO_BASE64.encode(public_key_data(&self.key))
        )
    }
}

fn public_key_data(key: &SigningKey) -> Vec<u8> {
    let mut data = vec![ALGORITHM_ED25519];
    data.extend_from_slice(key.verifying_key().as_bytes());
    data
}

/// A note's text and its signatures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    /// Signatures by known keys that verified.
    pub sigs: Vec<Signature>,
    /// Signatures by unknown keys, not verified.
    pub unverified_sigs: Vec<Signature>,
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The key name.
    pub name: String,
    /// The key hash.
    pub hash: u32,
    /// The base64 signature as written (key hash and signature bytes).
    pub base64: String,
}

/// Parses a signed note and checks its signatures against the known verifiers (Go's
/// `note.Open`): a known key's bad signature is an error, unknown keys' signatures are kept
/// unverified, and at least one signature must verify.
pub fn open(message: &[u8], known: &[Verifier]) -> Result<Note, NoteError> {
    let Ok(text) = std::str::from_utf8(message) else {
        return Err(NoteError::MalformedNote);
    };
    if text
        .chars()
        .any(|character| character < ' ' && character != '\n')
    {
        return Err(NoteError::MalformedNote);
    }
    let split = text.rfind("\n\n").ok_or(NoteError::MalformedNote)?;
    let (body, signatures) = (
        text.get(..split + 1).unwrap_or_default(),
        text.get(split + 2..).unwrap_or_default(),
    );
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }
    let mut note = Note {
        text: body.to_owned(),
        ..Note::default()
    };
    let mut seen = HashSet::new();
    let mut seen_unverified = HashSet::new();
    for (count, line) in signatures.split_terminator('\n').enumerate() {
        let line = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(NoteError::MalformedNote)?;
        let (name, encoded) = line.split_once(' ').unwrap_or((line, ""));
        let decoded = GO_BASE64.decode(encoded).ok();
        let Some(decoded) = decoded.filter(|decoded| decoded.len() >= 5) else {
            return Err(NoteError::MalformedNote);
        };
        if !is_valid_name(name) || encoded.is_empty() {
            return Err(NoteError::MalformedNote);
        }
        let hash = u32::from_be_bytes(decoded.first_chunk::<4>().copied().unwrap_or_default());
        let signature = decoded.get(4..).unwrap_or_default();
        if count >= 100 {
            return Err(NoteError::MalformedNote);
        }
        let mut matching = known
            .iter()
            .filter(|verifier| verifier.name == name && verifier.hash == hash);
        let Some(verifier) = matching.next() else {
            if seen_unverified.insert(line.to_owned()) {
                note.unverified_sigs.push(Signature {
                    name: name.to_owned(),
                    hash,
                    base64: encoded.to_owned(),
                });
            }
            continue;
        };
        if matching.next().is_some() {
            return Err(NoteError::AmbiguousKey {
                name: name.to_owned(),
                hash,
            });
        }
        if !seen.insert((name.to_owned(), hash)) {
            continue;
        }
        if !verifier.verify(body.as_bytes(), signature) {
            return Err(NoteError::InvalidSignature {
                name: name.to_owned(),
                hash,
            });
        }
        note.sigs.push(Signature {
            name: name.to_owned(),
            hash,
            base64: encoded.to_owned(),
        });
    }
    if note.sigs.is_empty() {
        return Err(NoteError::Unverified(Box::new(note)));
    }
    Ok(note)
}

/// Signs a note's text with the given signers and encodes it (Go's `note.Sign`): existing
/// signatures by other keys are kept first, then the new ones.
pub fn sign(note: &Note, signers: &[&Signer]) -> Result<Vec<u8>, NoteError> {
    if !note.text.ends_with('\n') {
        return Err(NoteError::MalformedNote);
    }
    let mut out = note.text.clone().into_bytes();
    let mut new_lines = String::new();
    let mut replaced = HashSet::new();
    for signer in signers {
        replaced.insert((signer.name.clone(), signer.hash));
        let mut data = signer.hash.to_be_bytes().to_vec();
        data.extend_from_slice(&signer.sign(note.text.as_bytes()));
        new_lines.push_str(&format!(
            "{SIGNATURE_PREFIX}{} {}\n",
            signer.name,
            GO_BASE64.encode(data)
        ));
    }
    out.push(b'\n');
    for old in note.sigs.iter().chain(&note.unverified_sigs) {
        if !is_valid_name(&old.name) {
            return Err(NoteError::MalformedNote);
        }
        if replaced.contains(&(old.name.clone(), old.hash)) {
            continue;
        }
        let raw = GO_BASE64
            .decode(&old.base64)
            .map_err(|_| NoteError::MalformedNote)?;
        let raw_hash = raw.first_chunk::<4>().copied().map(u32::from_be_bytes);
        if raw_hash != Some(old.hash) {
            return Err(NoteError::MalformedNote);
        }
        out.extend_from_slice(
            format!("{SIGNATURE_PREFIX}{} {}\n", old.name, old.base64).as_bytes(),
        );
    }
    out.extend_from_slice(new_lines.as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fixed test keys of the go command's own tests (doc section 9.6).
    const TEST_VERIFIER: &str =
        "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
    const TEST_SIGNER: &str = "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";

    #[test]
    fn signer_and_verifier_keys_agree() {
        let signer = Signer::new(TEST_SIGNER).unwrap();
        assert_eq!(signer.verifier_key(), TEST_VERIFIER);
        assert_eq!(signer.signer_key(), TEST_SIGNER);
        let verifier = Verifier::new(TEST_VERIFIER).unwrap();
        assert_eq!(verifier.name(), "localhost.localdev/sumdb");
        assert_eq!(verifier.key_hash(), 0xc67);
    }

    #[test]
    fn sign_then_open() {
        let signer = Signer::new(TEST_SIGNER).unwrap();
        let verifier = Verifier::new(TEST_VERIFIER).unwrap();
        let message = sign(
            &Note {
                text: "hello\nworld\n".to_owned(),
                ..Note::default()
            },
            &[&signer],
        )
        .unwrap();
        let text = String::from_utf8(message.clone()).unwrap();
        assert!(
            text.starts_with("hello\nworld\n\n\u{2014} localhost.localdev/sumdb AAAMZ"),
            "{text}"
        );
        let note = open(&message, std::slice::from_ref(&verifier)).unwrap();
        assert_eq!(note.text, "hello\nworld\n");
        assert_eq!(note.sigs.len(), 1);

        let mut tampered = message.clone();
        tampered[0] = b'j';
        assert_eq!(
            open(&tampered, std::slice::from_ref(&verifier))
                .unwrap_err()
                .to_string(),
            "invalid signature for key localhost.localdev/sumdb+00000c67"
        );
        assert_eq!(
            open(&message, &[]).unwrap_err().to_string(),
            "note has no verifiable signatures"
        );
        assert_eq!(
            open(b"no signatures\n", &[verifier])
                .unwrap_err()
                .to_string(),
            "malformed note"
        );
    }

    #[test]
    fn key_errors() {
        assert_eq!(
            Verifier::new("nokey").unwrap_err().to_string(),
            "malformed verifier id"
        );
        assert_eq!(
            Verifier::new(
                "localhost.localdev/sumdb+00000c68+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
            )
            .unwrap_err()
            .to_string(),
            "invalid verifier hash"
        );
        let other_algorithm = {
            let mut data = vec![2u8];
            data.extend_from_slice(&[7u8; 32]);
            format!("x+{:08x}+{}", key_hash("x", &data), GO_BASE64.encode(&data))
        };
        assert_eq!(
            Verifier::new(&other_algorithm).unwrap_err().to_string(),
            "unknown verifier algorithm"
        );
    }

    #[test]
    fn the_documented_example_note_verifies() {
        // The example in Go's note package documentation, a fact about the format.
        let verifier =
            Verifier::new("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .unwrap();
        let message = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n\
                       \n\
                       \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let note = open(message.as_bytes(), &[verifier]).unwrap();
        assert_eq!(note.sigs[0].hash, 0xc74f20a3);
    }
}
