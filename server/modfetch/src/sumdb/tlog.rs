//! The checksum database's transparency log (`x/mod/sumdb/tlog`, RFC 6962 hashing): record and
//! node hashes, the stored-hash layout, tree hashes, inclusion and consistency proofs, tiles, and
//! the tree and record texts the server sends.
//!
//! Hashes of a tree of `n` records are kept in "stored hash" order: the hash of record `i`, then
//! the hashes of every complete subtree that record completes. Tiles of height `H` hold `2^H`
//! consecutive hashes of one tree level; tile level `L` covers tree levels `L·H ... L·H+H-1`.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::note::GO_BASE64;

/// Why a log operation failed; the texts are Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    /// A hash is not 32 bytes of base64.
    #[error("malformed hash")]
    MalformedHash,
    /// A tree note text is malformed.
    #[error("malformed tree note")]
    MalformedTree,
    /// A record is malformed.
    #[error("malformed record data")]
    MalformedRecord,
    /// A tile path is malformed.
    #[error("malformed tile path \"{0}\"")]
    MalformedTilePath(String),
    /// A tile has impossible parameters.
    #[error("invalid tile {0}")]
    InvalidTile(String),
    /// A tile's data is shorter than its width says.
    #[error("data len {len} too short for tile {tile}")]
    TileTooShort {
        /// The data length.
        len: usize,
        /// The tile path.
        tile: String,
    },
    /// A hash index lies in another tile.
    #[error("index {index} is in {actual} not {tile}")]
    IndexNotInTile {
        /// The stored hash index.
        index: u64,
        /// The tile path holding it.
        actual: String,
        /// The tile path asked for.
        tile: String,
    },
    /// A proof does not prove what it should.
    #[error("invalid transparency proof")]
    ProofFailed,
    /// A proof function got impossible tree sizes.
    #[error("tlog: invalid inputs in {0}")]
    InvalidInputs(&'static str),
    /// Hashes were asked for beyond the tree.
    #[error("indexes not in tree")]
    IndexesNotInTree,
    /// A hash reader returned the wrong number of hashes.
    #[error("tlog: ReadHashes({want} indexes) = {got} hashes")]
    WrongHashCount {
        /// How many were asked for.
        want: usize,
        /// How many came back.
        got: usize,
    },
    /// Tile data did not match the signed tree hash or its parent tile.
    #[error("downloaded inconsistent tile")]
    InconsistentTile,
    /// Tile data came back with the wrong length.
    #[error("TileReader returned bad result slice ({tile} len={len}, want {want})")]
    BadTileData {
        /// The tile path.
        tile: String,
        /// The length received.
        len: usize,
        /// The length expected.
        want: usize,
    },
    /// An internal consistency check failed.
    #[error("bad math in tileHashReader: {0}")]
    BadMath(String),
}

/// A SHA-256 hash in the log.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Parses a standard base64 hash.
    pub fn parse(text: &str) -> Result<Hash, TlogError> {
        let data = GO_BASE64
            .decode(text)
            .map_err(|_| TlogError::MalformedHash)?;
        data.try_into()
            .map(Hash)
            .map_err(|_| TlogError::MalformedHash)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&GO_BASE64.encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Hash({self})")
    }
}

/// The hash of an empty tree: SHA-256 of nothing.
pub fn empty_tree_hash() -> Hash {
    Hash(Sha256::digest(b"").into())
}

/// The leaf hash of a record: SHA-256 of a zero byte and the record text.
pub fn record_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    Hash(hasher.finalize().into())
}

/// The hash of an interior node: SHA-256 of a one byte and the two child hashes.
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left.0);
    hasher.update(right.0);
    Hash(hasher.finalize().into())
}

/// The largest power of two strictly less than `n` (for `n >= 2`; 1 for `n <= 2`), and its log.
fn max_pow2(n: u64) -> (u64, u32) {
    let mut level = 0;
    while (1u64 << (level + 1)) < n {
        level += 1;
    }
    (1 << level, level)
}

/// The index in stored-hash order of the hash of the `n`th subtree at `level`.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // The hash of level-L subtree n is stored right after the last level-0 hash it covers,
    // after the L hashes of lower levels stored there.
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut index = 0;
    let mut rest = n;
    while rest > 0 {
        index += rest;
        rest >>= 1;
    }
    index + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: the level and subtree number stored at `index`.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // Level-0 hash n is stored at a position at most 2n, so start at index/2 and walk forward.
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        let next = index_n + 1 + u64::from((n + 1).trailing_zeros());
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    let level = (index - index_n) as u32;
    (level, n >> level)
}

/// The number of stored hashes for a tree of `n` records.
pub fn stored_hash_count(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut count = stored_hash_index(0, n - 1) + 1;
    let mut rest = n - 1;
    while rest & 1 != 0 {
        count += 1;
        rest >>= 1;
    }
    count
}

/// Reads stored hashes by index.
pub trait HashReader {
    /// Returns the hashes at the given stored-hash indexes, in order.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError>;
}

impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|index| self.get(index))
                    .copied()
                    .ok_or(TlogError::IndexesNotInTree)
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        self.as_slice().read_hashes(indexes)
    }
}

impl HashReader for HashMap<u64, Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|index| self.get(index).copied().ok_or(TlogError::IndexesNotInTree))
            .collect()
    }
}

fn read_exact(
    reader: &(impl HashReader + ?Sized),
    indexes: &[u64],
) -> Result<Vec<Hash>, TlogError> {
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::WrongHashCount {
            want: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The new stored hashes to append when record `n` (with leaf hash `leaf`) is added to a tree of
/// `n` records; `reader` supplies the existing hashes.
pub fn stored_hashes_for_record_hash(
    n: u64,
    leaf: Hash,
    reader: &(impl HashReader + ?Sized),
) -> Result<Vec<Hash>, TlogError> {
    let completed = (n + 1).trailing_zeros();
    let mut indexes = vec![0; completed as usize];
    for level in 0..completed {
        if let Some(slot) = indexes.get_mut((completed - 1 - level) as usize) {
            *slot = stored_hash_index(level, (n >> level) - 1);
        }
    }
    let old = read_exact(reader, &indexes)?;
    let mut hashes = vec![leaf];
    let mut hash = leaf;
    for sibling in old.iter().rev() {
        hash = node_hash(*sibling, hash);
        hashes.push(hash);
    }
    Ok(hashes)
}

/// The stored-hash indexes of the complete subtrees that make up records `lo..hi`, left to right.
fn subtree_indexes(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let (size, level) = max_pow2(hi - lo + 1);
        need.push(stored_hash_index(level, lo >> level));
        lo += size;
    }
}

/// Combines the hashes [`subtree_indexes`] listed for `lo..hi`, taking them from the front of
/// `hashes`.
fn subtree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> Result<(Hash, &[Hash]), TlogError> {
    let mut count = 0;
    while lo < hi {
        let (size, _) = max_pow2(hi - lo + 1);
        count += 1;
        lo += size;
    }
    let (used, rest) = hashes
        .split_at_checked(count)
        .ok_or(TlogError::ProofFailed)?;
    let mut parts = used.iter().rev();
    let mut hash = *parts.next().ok_or(TlogError::ProofFailed)?;
    for left in parts {
        hash = node_hash(*left, hash);
    }
    Ok((hash, rest))
}

/// The stored-hash indexes [`tree_hash`] reads for a tree of `n` records.
pub fn tree_hash_indexes(n: u64) -> Vec<u64> {
    let mut need = Vec::new();
    subtree_indexes(0, n, &mut need);
    need
}

/// The hash of the tree of the first `n` records.
pub fn tree_hash(n: u64, reader: &(impl HashReader + ?Sized)) -> Result<Hash, TlogError> {
    if n == 0 {
        return Ok(empty_tree_hash());
    }
    let indexes = tree_hash_indexes(n);
    let hashes = read_exact(reader, &indexes)?;
    let (hash, rest) = subtree_hash(0, n, &hashes)?;
    if !rest.is_empty() {
        return Err(TlogError::BadMath("bad index math in TreeHash".to_owned()));
    }
    Ok(hash)
}

/// A proof that a record is in a tree.
pub type RecordProof = Vec<Hash>;

/// A proof that a tree is a prefix of a larger tree.
pub type TreeProof = Vec<Hash>;

fn leaf_proof_indexes(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if lo + 1 >= hi {
        return;
    }
    let (size, _) = max_pow2(hi - lo);
    if n < lo + size {
        leaf_proof_indexes(lo, lo + size, n, need);
        subtree_indexes(lo + size, hi, need);
    } else {
        subtree_indexes(lo, lo + size, need);
        leaf_proof_indexes(lo + size, hi, n, need);
    }
}

fn leaf_proof(
    lo: u64,
    hi: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<(RecordProof, &[Hash]), TlogError> {
    if lo + 1 >= hi {
        return Ok((Vec::new(), hashes));
    }
    let (size, _) = max_pow2(hi - lo);
    let (mut proof, subtree, rest) = if n < lo + size {
        let (proof, rest) = leaf_proof(lo, lo + size, n, hashes)?;
        let (subtree, rest) = subtree_hash(lo + size, hi, rest)?;
        (proof, subtree, rest)
    } else {
        let (subtree, rest) = subtree_hash(lo, lo + size, hashes)?;
        let (proof, rest) = leaf_proof(lo + size, hi, n, rest)?;
        (proof, subtree, rest)
    };
    proof.push(subtree);
    Ok((proof, rest))
}

/// The stored-hash indexes [`prove_record`] reads.
pub fn record_proof_indexes(t: u64, n: u64) -> Vec<u64> {
    let mut need = Vec::new();
    if n < t {
        leaf_proof_indexes(0, t, n, &mut need);
    }
    need
}

/// Proves that record `n` is in the tree of `t` records.
pub fn prove_record(
    t: u64,
    n: u64,
    reader: &(impl HashReader + ?Sized),
) -> Result<RecordProof, TlogError> {
    if n >= t {
        return Err(TlogError::InvalidInputs("ProveRecord"));
    }
    let indexes = record_proof_indexes(t, n);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(reader, &indexes)?;
    let (proof, rest) = leaf_proof(0, t, n, &hashes)?;
    if !rest.is_empty() {
        return Err(TlogError::BadMath(
            "bad index math in ProveRecord".to_owned(),
        ));
    }
    Ok(proof)
}

/// Checks a proof that record `n` with leaf hash `leaf` is in the tree of `t` records with hash
/// `tree`.
pub fn check_record(
    proof: &[Hash],
    t: u64,
    tree: Hash,
    n: u64,
    leaf: Hash,
) -> Result<(), TlogError> {
    if n >= t {
        return Err(TlogError::InvalidInputs("CheckRecord"));
    }
    if run_record_proof(proof, 0, t, n, leaf)? == tree {
        return Ok(());
    }
    Err(TlogError::ProofFailed)
}

fn run_record_proof(
    proof: &[Hash],
    lo: u64,
    hi: u64,
    n: u64,
    leaf: Hash,
) -> Result<Hash, TlogError> {
    if lo + 1 >= hi {
        if !proof.is_empty() {
            return Err(TlogError::ProofFailed);
        }
        return Ok(leaf);
    }
    let (last, rest) = proof.split_last().ok_or(TlogError::ProofFailed)?;
    let (size, _) = max_pow2(hi - lo);
    if n < lo + size {
        Ok(node_hash(
            run_record_proof(rest, lo, lo + size, n, leaf)?,
            *last,
        ))
    } else {
        Ok(node_hash(
            *last,
            run_record_proof(rest, lo + size, hi, n, leaf)?,
        ))
    }
}

fn tree_proof_indexes_in(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if n >= hi {
        if lo != 0 {
            subtree_indexes(lo, hi, need);
        }
        return;
    }
    let (size, _) = max_pow2(hi - lo);
    if n <= lo + size {
        tree_proof_indexes_in(lo, lo + size, n, need);
        subtree_indexes(lo + size, hi, need);
    } else {
        subtree_indexes(lo, lo + size, need);
        tree_proof_indexes_in(lo + size, hi, n, need);
    }
}

fn tree_proof(
    lo: u64,
    hi: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<(TreeProof, &[Hash]), TlogError> {
    if n >= hi {
        if lo == 0 {
            return Ok((Vec::new(), hashes));
        }
        let (subtree, rest) = subtree_hash(lo, hi, hashes)?;
        return Ok((vec![subtree], rest));
    }
    let (size, _) = max_pow2(hi - lo);
    let (mut proof, subtree, rest) = if n <= lo + size {
        let (proof, rest) = tree_proof(lo, lo + size, n, hashes)?;
        let (subtree, rest) = subtree_hash(lo + size, hi, rest)?;
        (proof, subtree, rest)
    } else {
        let (subtree, rest) = subtree_hash(lo, lo + size, hashes)?;
        let (proof, rest) = tree_proof(lo + size, hi, n, rest)?;
        (proof, subtree, rest)
    };
    proof.push(subtree);
    Ok((proof, rest))
}

/// The stored-hash indexes [`prove_tree`] reads.
pub fn tree_proof_indexes(t: u64, n: u64) -> Vec<u64> {
    let mut need = Vec::new();
    if n >= 1 && n <= t {
        tree_proof_indexes_in(0, t, n, &mut need);
    }
    need
}

/// Proves that the tree of `n` records is a prefix of the tree of `t` records.
pub fn prove_tree(
    t: u64,
    n: u64,
    reader: &(impl HashReader + ?Sized),
) -> Result<TreeProof, TlogError> {
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::InvalidInputs("ProveTree"));
    }
    let indexes = tree_proof_indexes(t, n);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(reader, &indexes)?;
    let (proof, rest) = tree_proof(0, t, n, &hashes)?;
    if !rest.is_empty() {
        return Err(TlogError::BadMath("bad index math in ProveTree".to_owned()));
    }
    Ok(proof)
}

/// Checks a proof that the tree of `n` records with hash `old` is a prefix of the tree of `t`
/// records with hash `tree`.
pub fn check_tree(proof: &[Hash], t: u64, tree: Hash, n: u64, old: Hash) -> Result<(), TlogError> {
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::InvalidInputs("CheckTree"));
    }
    let (old_computed, tree_computed) = run_tree_proof(proof, 0, t, n, old)?;
    if tree_computed == tree && old_computed == old {
        return Ok(());
    }
    Err(TlogError::ProofFailed)
}

fn run_tree_proof(
    proof: &[Hash],
    lo: u64,
    hi: u64,
    n: u64,
    old: Hash,
) -> Result<(Hash, Hash), TlogError> {
    if n >= hi {
        if lo == 0 {
            if !proof.is_empty() {
                return Err(TlogError::ProofFailed);
            }
            return Ok((old, old));
        }
        let [only] = proof else {
            return Err(TlogError::ProofFailed);
        };
        return Ok((*only, *only));
    }
    let (last, rest) = proof.split_last().ok_or(TlogError::ProofFailed)?;
    let (size, _) = max_pow2(hi - lo);
    if n <= lo + size {
        let (old_hash, tree) = run_tree_proof(rest, lo, lo + size, n, old)?;
        Ok((old_hash, node_hash(tree, *last)))
    } else {
        let (old_hash, tree) = run_tree_proof(rest, lo + size, hi, n, old)?;
        Ok((node_hash(*last, old_hash), node_hash(*last, tree)))
    }
}

/// The tile height the go command uses.
pub const GO_TILE_HEIGHT: u32 = 8;

/// A tile: up to `2^height` consecutive hashes of one level of the tree (or record texts, for
/// the data tiles at level -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    /// The tile height, 1 to 30.
    pub height: u32,
    /// The tile level; -1 for data tiles.
    pub level: i32,
    /// The tile's number within its level.
    pub number: u64,
    /// How many hashes it holds, 1 to `2^height` (less means a partial tile).
    pub width: u32,
}

impl Tile {
    /// The tile holding the stored hash at `index`, as wide as needed to include it.
    pub fn for_index(height: u32, index: u64) -> Tile {
        tile_for_index(height, index).0
    }

    /// The tile's path under a server's base URL: `tile/H/L/NNN[.p/W]`, where NNN is the number
    /// in base 1000, groups of three digits with all but the last prefixed by `x`.
    pub fn path(&self) -> String {
        let mut number = self.number;
        let mut text = format!("{:03}", number % 1000);
        while number >= 1000 {
            number /= 1000;
            text = format!("x{:03}/{text}", number % 1000);
        }
        let level = if self.level == -1 {
            "data".to_owned()
        } else {
            self.level.to_string()
        };
        let partial = if u64::from(self.width) != 1u64 << self.height {
            format!(".p/{}", self.width)
        } else {
            String::new()
        };
        format!("tile/{}/{level}/{text}{partial}", self.height)
    }

    /// Parses a tile path as Go's `tlog.ParseTilePath` does (only the canonical spelling).
    pub fn parse_path(path: &str) -> Result<Tile, TlogError> {
        let bad = || TlogError::MalformedTilePath(path.to_owned());
        let mut fields: Vec<&str> = path.split('/').collect();
        if fields.len() < 4 || fields.first() != Some(&"tile") {
            return Err(bad());
        }
        let height: u32 = go_atoi(fields.get(1).copied().unwrap_or_default()).ok_or_else(bad)?;
        let level_text = fields.get(2).copied().unwrap_or_default();
        let is_data = level_text == "data";
        let level: i64 = if is_data {
            0
        } else {
            go_atoi(level_text).ok_or_else(bad)?
        };
        if !(1..=30).contains(&height) || !(0..=63).contains(&level) {
            return Err(bad());
        }
        let mut width = 1u64 << height;
        if let [.., dot_p, last] = fields.as_slice()
            && let Some(stripped) = dot_p.strip_suffix(".p")
        {
            let partial: u64 = go_atoi(last).ok_or_else(bad)?;
            if partial == 0 || partial >= width {
                return Err(bad());
            }
            width = partial;
            let count = fields.len();
            if let Some(slot) = fields.get_mut(count - 2) {
                *slot = stripped;
            }
            fields.pop();
        }
        let mut number: u64 = 0;
        for group in fields.get(3..).unwrap_or_default() {
            let digits = group.strip_prefix('x').unwrap_or(group);
            let value: u64 = go_atoi(digits).ok_or_else(bad)?;
            if value >= 1000 {
                return Err(bad());
            }
            number = number
                .checked_mul(1000)
                .and_then(|n| n.checked_add(value))
                .ok_or_else(bad)?;
        }
        let tile = Tile {
            height,
            level: if is_data { -1 } else { level as i32 },
            number,
            width: width as u32,
        };
        if tile.path() != path {
            return Err(bad());
        }
        Ok(tile)
    }

    /// Whether this is a data tile (record texts rather than hashes).
    pub fn is_data(&self) -> bool {
        self.level == -1
    }
}

/// Parses a decimal number the way Go's `strconv.Atoi` accepts it (optional sign, digits).
fn go_atoi<T: std::str::FromStr>(text: &str) -> Option<T> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// The tile holding stored hash `index`, and the byte range of that hash's subtree in the tile.
fn tile_for_index(height: u32, index: u64) -> (Tile, usize, usize) {
    let (level, n) = split_stored_hash_index(index);
    let tile_level = level / height;
    let level_in_tile = level - tile_level * height;
    let number = (n << level_in_tile) >> height;
    let n_in_tile = n - ((number << height) >> level_in_tile);
    let width = (n_in_tile + 1) << level_in_tile;
    let start = ((n_in_tile << level_in_tile) as usize) * 32;
    let end = (((n_in_tile + 1) << level_in_tile) as usize) * 32;
    (
        Tile {
            height,
            level: tile_level as i32,
            number,
            width: width as u32,
        },
        start,
        end,
    )
}

/// Reads the hash at stored index `index` from the data of tile `tile`, combining the tile's
/// level-bottom hashes when the index is at a higher level.
pub fn hash_from_tile(tile: &Tile, data: &[u8], index: u64) -> Result<Hash, TlogError> {
    if tile.height < 1
        || tile.height > 30
        || tile.level < 0
        || tile.level >= 64
        || tile.width < 1
        || u64::from(tile.width) > 1u64 << tile.height
    {
        return Err(TlogError::InvalidTile(tile.path()));
    }
    if data.len() < tile.width as usize * 32 {
        return Err(TlogError::TileTooShort {
            len: data.len(),
            tile: tile.path(),
        });
    }
    let (owner, start, end) = tile_for_index(tile.height, index);
    if tile.level != owner.level || tile.number != owner.number || tile.width < owner.width {
        return Err(TlogError::IndexNotInTile {
            index,
            actual: owner.path(),
            tile: tile.path(),
        });
    }
    tile_hash(data.get(start..end).ok_or(TlogError::InconsistentTile)?)
}

/// The hash of the complete subtree whose level-bottom hashes are `data`.
fn tile_hash(data: &[u8]) -> Result<Hash, TlogError> {
    if data.len() == 32 {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(data);
        return Ok(Hash(hash));
    }
    if data.len() < 64 {
        return Err(TlogError::BadMath("bad math in tileHash".to_owned()));
    }
    let (left, right) = data.split_at(data.len() / 2);
    Ok(node_hash(tile_hash(left)?, tile_hash(right)?))
}

/// The tiles that change when a tree grows from `old_size` to `new_size` records.
pub fn new_tiles(height: u32, old_size: u64, new_size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    let mut level = 0u32;
    while level * height < 64 && new_size >> (height * level) > 0 {
        let old_n = old_size >> (height * level);
        let new_n = new_size >> (height * level);
        if old_n != new_n {
            for number in (old_n >> height)..(new_n >> height) {
                tiles.push(Tile {
                    height,
                    level: level as i32,
                    number,
                    width: 1 << height,
                });
            }
            let number = new_n >> height;
            let width = new_n - (number << height);
            if width > 0 {
                tiles.push(Tile {
                    height,
                    level: level as i32,
                    number,
                    width: width as u32,
                });
            }
        }
        level += 1;
    }
    tiles
}

/// The bytes of a hash tile, read from stored hashes.
pub fn read_tile_data(
    tile: &Tile,
    reader: &(impl HashReader + ?Sized),
) -> Result<Vec<u8>, TlogError> {
    let start = tile.number << tile.height;
    let level =
        tile.height * u32::try_from(tile.level).map_err(|_| TlogError::InvalidTile(tile.path()))?;
    let indexes: Vec<u64> = (0..u64::from(tile.width))
        .map(|i| stored_hash_index(level, start + i))
        .collect();
    let hashes = read_exact(reader, &indexes)?;
    Ok(hashes.iter().flat_map(|hash| hash.0).collect())
}

/// The tile `levels_up` levels above `tile` that covers it, trimmed to a tree of `size`
/// records; `None` when the tree has no such tile.
fn tile_parent(tile: Tile, levels_up: u32, size: u64) -> Option<Tile> {
    let mut parent = tile;
    parent.level += levels_up as i32;
    parent.number >>= levels_up * tile.height;
    parent.width = 1 << tile.height;
    let max = size >> (parent.level as u32 * tile.height);
    let start = parent.number << tile.height;
    if start + u64::from(parent.width) >= max {
        if start >= max {
            return None;
        }
        parent.width = (max - start) as u32;
    }
    Some(parent)
}

/// A signed tree head: the number of records and the tree hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tree {
    /// The number of records.
    pub size: u64,
    /// The tree hash.
    pub hash: Hash,
}

/// Which tiles must be fetched to read some stored hashes of a tree with tile authentication, and
/// how to check them: the plan half of Go's `TileHashReader`, so that fetching can be async.
#[derive(Debug, Clone)]
pub struct TileHashPlan {
    tree: Tree,
    tiles: Vec<Tile>,
    subtree_indexes: Vec<u64>,
    subtree_tile: Vec<usize>,
    indexes: Vec<u64>,
    index_tile: Vec<usize>,
}

impl TileHashPlan {
    /// Plans the tiles for reading stored hashes `indexes` of `tree` with tiles of `height`.
    pub fn new(tree: Tree, height: u32, indexes: &[u64]) -> Result<TileHashPlan, TlogError> {
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles = Vec::new();
        let subtree_indexes = tree_hash_indexes(tree.size);
        let mut subtree_tile = Vec::with_capacity(subtree_indexes.len());
        for &index in &subtree_indexes {
            let tile = tile_parent(Tile::for_index(height, index), 0, tree.size)
                .ok_or_else(|| TlogError::BadMath(format!("{} {index}", tree.size)))?;
            let position = *order.entry(tile).or_insert_with(|| {
                tiles.push(tile);
                tiles.len() - 1
            });
            subtree_tile.push(position);
        }
        let limit = stored_hash_index(0, tree.size);
        let mut index_tile = Vec::with_capacity(indexes.len());
        for &index in indexes {
            if index >= limit {
                return Err(TlogError::IndexesNotInTree);
            }
            let tile = Tile::for_index(height, index);
            // Climb until a tile we already fetch covers this one.
            let mut levels_up = 0;
            let found = loop {
                if levels_up > 64 {
                    return Err(TlogError::BadMath(format!(
                        "{} {index}: lost parent",
                        tree.size
                    )));
                }
                if let Some(parent) = tile_parent(tile, levels_up, tree.size)
                    && let Some(&position) = order.get(&parent)
                {
                    break position;
                }
                levels_up += 1;
            };
            if levels_up == 0 {
                index_tile.push(found);
                continue;
            }
            // Fetch every full tile on the way down.
            let mut own = found;
            for level in (0..levels_up).rev() {
                let parent = tile_parent(tile, level, tree.size)
                    .filter(|parent| u64::from(parent.width) == 1u64 << parent.height)
                    .ok_or_else(|| TlogError::BadMath(format!("{} {index}", tree.size)))?;
                order.insert(parent, tiles.len());
                own = tiles.len();
                tiles.push(parent);
            }
            index_tile.push(own);
        }
        Ok(TileHashPlan {
            tree,
            tiles,
            subtree_indexes,
            subtree_tile,
            indexes: indexes.to_vec(),
            index_tile,
        })
    }

    /// The tiles to fetch, in order.
    pub fn tiles(&self) -> &[Tile] {
        &self.tiles
    }

    /// Authenticates the fetched tile data (one entry per [`Self::tiles`] entry) against the
    /// tree hash, parents before children, and returns the requested hashes.
    pub fn verify(&self, data: &[Vec<u8>]) -> Result<Vec<Hash>, TlogError> {
        if data.len() != self.tiles.len() {
            return Err(TlogError::WrongHashCount {
                want: self.tiles.len(),
                got: data.len(),
            });
        }
        for (tile, bytes) in self.tiles.iter().zip(data) {
            let want = tile.width as usize * 32;
            if bytes.len() != want {
                return Err(TlogError::BadTileData {
                    tile: tile.path(),
                    len: bytes.len(),
                    want,
                });
            }
        }
        let tile_data = |position: usize| -> Result<(&Tile, &Vec<u8>), TlogError> {
            Ok((
                self.tiles
                    .get(position)
                    .ok_or_else(|| TlogError::BadMath("tile".to_owned()))?,
                data.get(position)
                    .ok_or_else(|| TlogError::BadMath("tile data".to_owned()))?,
            ))
        };
        // The tree hash must come out of the tiles that hold the tree's complete subtrees.
        let mut tree_hash: Option<Hash> = None;
        for (&index, &position) in self.subtree_indexes.iter().zip(&self.subtree_tile).rev() {
            let (tile, bytes) = tile_data(position)?;
            let hash = hash_from_tile(tile, bytes, index)?;
            tree_hash = Some(match tree_hash {
                None => hash,
                Some(right) => node_hash(hash, right),
            });
        }
        let tree_hash = tree_hash.unwrap_or_else(empty_tree_hash);
        if tree_hash != self.tree.hash {
            return Err(TlogError::InconsistentTile);
        }
        // Every other tile must match the hash its parent tile holds for it.
        let first_child = self.subtree_tile.last().map_or(0, |last| last + 1);
        for position in first_child..self.tiles.len() {
            let (tile, bytes) = tile_data(position)?;
            let parent = tile_parent(*tile, 1, self.tree.size)
                .ok_or_else(|| TlogError::BadMath(format!("lost parent of {}", tile.path())))?;
            let parent_position = self
                .tiles
                .iter()
                .position(|candidate| *candidate == parent)
                .ok_or_else(|| TlogError::BadMath(format!("lost parent of {}", tile.path())))?;
            let (_, parent_bytes) = tile_data(parent_position)?;
            let level = parent.level as u32 * parent.height;
            let expected =
                hash_from_tile(&parent, parent_bytes, stored_hash_index(level, tile.number))?;
            if expected != tile_hash(bytes)? {
                return Err(TlogError::InconsistentTile);
            }
        }
        self.indexes
            .iter()
            .zip(&self.index_tile)
            .map(|(&index, &position)| {
                let (tile, bytes) = tile_data(position)?;
                hash_from_tile(tile, bytes, index)
            })
            .collect()
    }
}

/// The text of a signed tree head: `go.sum database tree`, the size and the base64 hash, one per
/// line.
pub fn format_tree(tree: &Tree) -> String {
    format!("go.sum database tree\n{}\n{}\n", tree.size, tree.hash)
}

/// Parses the text of a signed tree head; lines after the third are ignored.
pub fn parse_tree(text: &[u8]) -> Result<Tree, TlogError> {
    if !text.starts_with(b"go.sum database tree\n")
        || text.iter().filter(|&&b| b == b'\n').count() < 3
        || text.len() > 1_000_000
    {
        return Err(TlogError::MalformedTree);
    }
    let text = String::from_utf8_lossy(text);
    let mut lines = text.splitn(4, '\n').skip(1);
    let size_text = lines.next().unwrap_or_default();
    let size: u64 = size_text.parse().map_err(|_| TlogError::MalformedTree)?;
    if size.to_string() != size_text {
        return Err(TlogError::MalformedTree);
    }
    let hash =
        Hash::parse(lines.next().unwrap_or_default()).map_err(|_| TlogError::MalformedTree)?;
    Ok(Tree { size, hash })
}

/// Reports whether record text is acceptable: UTF-8 without control characters other than
/// newline, no blank lines, ending in a newline.
fn is_valid_record_text(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let mut last = '\0';
    for character in text.chars() {
        if (character < ' ' && character != '\n') || (last == '\n' && character == '\n') {
            return false;
        }
        last = character;
    }
    last == '\n'
}

/// Formats a record for a lookup response: the id, a newline, the text, a blank line.
pub fn format_record(id: u64, text: &[u8]) -> Result<Vec<u8>, TlogError> {
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    let mut message = format!("{id}\n").into_bytes();
    message.extend_from_slice(text);
    message.push(b'\n');
    Ok(message)
}

/// Parses a lookup response into the record id, the record text and the rest (the signed tree
/// note).
pub fn parse_record(message: &[u8]) -> Result<(u64, &[u8], &[u8]), TlogError> {
    let newline = message
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(TlogError::MalformedRecord)?;
    let (id_text, rest) = message.split_at(newline);
    let id_text = std::str::from_utf8(id_text).map_err(|_| TlogError::MalformedRecord)?;
    let id: i64 = go_atoi(id_text).ok_or(TlogError::MalformedRecord)?;
    let id = u64::try_from(id).map_err(|_| TlogError::MalformedRecord)?;
    let rest = rest.get(1..).unwrap_or_default();
    let blank = rest
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .ok_or(TlogError::MalformedRecord)?;
    let (text, tree) = (
        rest.get(..blank + 1).unwrap_or_default(),
        rest.get(blank + 2..).unwrap_or_default(),
    );
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    Ok((id, text, tree))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log built naively: leaf hashes, with subtree hashes computed by recursion.
    fn naive_tree_hash(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_tree_hash(),
            1 => leaves[0],
            n => {
                let (split, _) = max_pow2(n as u64);
                node_hash(
                    naive_tree_hash(&leaves[..split as usize]),
                    naive_tree_hash(&leaves[split as usize..]),
                )
            }
        }
    }

    fn build(count: u64) -> (Vec<Hash>, Vec<Hash>) {
        let mut stored = Vec::new();
        let mut leaves = Vec::new();
        for i in 0..count {
            let leaf = record_hash(format!("record {i}\n").as_bytes());
            leaves.push(leaf);
            let new = stored_hashes_for_record_hash(i, leaf, &stored).unwrap();
            stored.extend(new);
            assert_eq!(stored.len() as u64, stored_hash_count(i + 1));
        }
        (stored, leaves)
    }

    #[test]
    fn stored_hash_index_round_trips() {
        for index in 0..2000 {
            let (level, n) = split_stored_hash_index(index);
            assert_eq!(stored_hash_index(level, n), index, "index {index}");
        }
        assert_eq!(stored_hash_index(0, 0), 0);
        assert_eq!(stored_hash_index(0, 1), 1);
        assert_eq!(stored_hash_index(1, 0), 2);
        assert_eq!(stored_hash_index(0, 2), 3);
    }

    #[test]
    fn tree_hashes_match_the_recursive_definition() {
        let (stored, leaves) = build(300);
        for size in 0..=300u64 {
            assert_eq!(
                tree_hash(size, &stored).unwrap(),
                naive_tree_hash(&leaves[..size as usize]),
                "size {size}"
            );
        }
        assert_eq!(tree_hash(1, &stored).unwrap(), leaves[0]);
        assert_eq!(
            empty_tree_hash().to_string(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn proofs_check_and_fail_when_tampered() {
        let (stored, leaves) = build(70);
        for t in 1..=70u64 {
            let th = tree_hash(t, &stored).unwrap();
            for n in 0..t {
                let proof = prove_record(t, n, &stored).unwrap();
                check_record(&proof, t, th, n, leaves[n as usize]).unwrap();
                assert_eq!(
                    check_record(&proof, t, th, n, record_hash(b"other\n")),
                    Err(TlogError::ProofFailed)
                );
            }
            for n in 1..=t {
                let old = tree_hash(n, &stored).unwrap();
                let proof = prove_tree(t, n, &stored).unwrap();
                check_tree(&proof, t, th, n, old).unwrap();
                if n < t {
                    assert_eq!(
                        check_tree(&proof, t, th, n, record_hash(b"x\n")),
                        Err(TlogError::ProofFailed)
                    );
                }
            }
        }
    }

    #[test]
    fn tile_paths() {
        let tile = Tile {
            height: 8,
            level: 0,
            number: 1_234_067,
            width: 256,
        };
        assert_eq!(tile.path(), "tile/8/0/x001/x234/067");
        assert_eq!(Tile::parse_path("tile/8/0/x001/x234/067").unwrap(), tile);
        let partial = Tile {
            height: 8,
            level: -1,
            number: 0,
            width: 2,
        };
        assert_eq!(partial.path(), "tile/8/data/000.p/2");
        assert_eq!(Tile::parse_path("tile/8/data/000.p/2").unwrap(), partial);
        for bad in [
            "tile/8/0/1",
            "tile/8/0/000.p/256",
            "tile/8/0/x000/001",
            "tile/0/0/000",
            "tiles/8/0/000",
            "tile/8/0/000.p/0",
        ] {
            assert_eq!(
                Tile::parse_path(bad).unwrap_err().to_string(),
                format!("malformed tile path \"{bad}\"")
            );
        }
    }

    #[test]
    fn tiles_authenticate_hashes() {
        let height = 2;
        let (stored, _) = build(100);
        for size in [1u64, 3, 4, 5, 16, 17, 63, 64, 65, 100] {
            let tree = Tree {
                size,
                hash: tree_hash(size, &stored).unwrap(),
            };
            let wanted: Vec<u64> = (0..size)
                .map(|n| stored_hash_index(0, n))
                .chain(tree_hash_indexes(size))
                .collect();
            let plan = TileHashPlan::new(tree, height, &wanted).unwrap();
            let data: Vec<Vec<u8>> = plan
                .tiles()
                .iter()
                .map(|tile| read_tile_data(tile, &stored).unwrap())
                .collect();
            let hashes = plan.verify(&data).unwrap();
            assert_eq!(hashes, stored.read_hashes(&wanted).unwrap(), "size {size}");

            // Corrupt each tile in turn: authentication must notice.
            for position in 0..data.len() {
                let mut bad = data.clone();
                bad[position][0] ^= 1;
                assert_eq!(
                    plan.verify(&bad),
                    Err(TlogError::InconsistentTile),
                    "size {size} tile {position}"
                );
            }
        }
    }

    #[test]
    fn new_tiles_cover_growth() {
        let tiles = new_tiles(8, 0, 300);
        let paths: Vec<String> = tiles.iter().map(Tile::path).collect();
        assert_eq!(
            paths,
            ["tile/8/0/000", "tile/8/0/001.p/44", "tile/8/1/000.p/1"]
        );
    }

    #[test]
    fn tree_notes_and_records() {
        let tree = Tree {
            size: 3,
            hash: record_hash(b"x\n"),
        };
        let text = format_tree(&tree);
        assert_eq!(parse_tree(text.as_bytes()).unwrap(), tree);
        assert_eq!(
            parse_tree(b"go.sum database tree\n03\nAAAA\n"),
            Err(TlogError::MalformedTree)
        );
        let record = format_record(7, b"a b c\n").unwrap();
        assert_eq!(record, b"7\na b c\n\n");
        let mut message = record.clone();
        message.extend_from_slice(b"NOTE");
        assert_eq!(
            parse_record(&message).unwrap(),
            (7, b"a b c\n".as_slice(), b"NOTE".as_slice())
        );
        assert_eq!(
            format_record(1, b"a\n\nb\n"),
            Err(TlogError::MalformedRecord)
        );
        assert_eq!(parse_record(b"x\na\n\n"), Err(TlogError::MalformedRecord));
    }
}
