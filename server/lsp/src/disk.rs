//! The real disk as the syntax crate's checks see it, for the server and the command line.

use std::path::Path;

use gomodls_syntax::check::FileSystem;

/// The file system of this machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFileSystem;

impl FileSystem for DiskFileSystem {
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}
