//! `invalid-replacement`: the right side of `=>` is neither `path version` nor a directory
//! (`replacement module without version must be directory path (rooted or starting with . or
//! ..)`), a directory with a version, `path@version`, or a Windows path on another system.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-replacement",
    source: Source::Go,
    summary: "a replacement that is neither a module version nor a local directory",
    url: "https://go.dev/ref/mod#go-mod-file-replace",
};
