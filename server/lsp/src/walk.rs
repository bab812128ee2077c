//! Finding the files the command line works on: the files named, and every go.mod, go.work,
//! go.sum and go.work.sum under the directories named, skipping `vendor/`, `testdata/` and hidden
//! directories, as the go command does.

use std::path::{Path, PathBuf};

use gomodls_syntax::FileKind;

/// A file to work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path, as named or joined below a named directory.
    pub path: PathBuf,
    /// Its kind.
    pub kind: FileKind,
}

/// Why a path named on the command line cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// Reading the path failed (it does not exist, or a directory cannot be listed).
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file that is none of go.mod, go.work or go.sum.
    #[error("{}: not a go.mod, go.work or go.sum file", path.display())]
    NotAModFile {
        /// The path.
        path: PathBuf,
    },
}

/// The files under `paths` (`.` when empty), each once, in order; the problems met on the way.
pub fn targets(paths: &[PathBuf]) -> (Vec<Target>, Vec<WalkError>) {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(source) => problems.push(WalkError::Io {
                path: path.clone(),
                source,
            }),
            Ok(metadata) if metadata.is_dir() => walk(path, &mut found, &mut problems),
            Ok(_) => match FileKind::from_path(&path.to_string_lossy()) {
                Some(kind) => found.push(Target {
                    path: path.clone(),
                    kind,
                }),
                None => problems.push(WalkError::NotAModFile { path: path.clone() }),
            },
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|target| seen.insert(target.path.clone()));
    (found, problems)
}

/// The file names the walk picks up in directories.
fn kind_of_name(name: &str) -> Option<FileKind> {
    match name {
        "go.mod" => Some(FileKind::GoMod),
        "go.work" => Some(FileKind::GoWork),
        "go.sum" | "go.work.sum" => Some(FileKind::GoSum),
        _ => None,
    }
}

fn walk(directory: &Path, found: &mut Vec<Target>, problems: &mut Vec<WalkError>) {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(source) => {
            problems.push(WalkError::Io {
                path: directory.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut entries: Vec<(String, PathBuf, bool)> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            // Below `.`, name files as `a/go.mod`, not `./a/go.mod`.
            let path = match directory == Path::new(".") {
                true => PathBuf::from(&name),
                false => entry.path(),
            };
            (name, path, is_dir)
        })
        .collect();
    entries.sort();
    for (name, path, is_dir) in entries {
        if is_dir {
            if name.starts_with('.') || name == "vendor" || name == "testdata" {
                continue;
            }
            walk(&path, found, problems);
        } else if let Some(kind) = kind_of_name(&name) {
            found.push(Target { path, kind });
        }
    }
}

/// Where the lines of a file start, to turn any number of byte offsets into lines and columns
/// in time proportional to their lines, not to the file.
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    /// Indexes the lines of `text` (a line ends after each `\n`).
    pub fn new(text: &[u8]) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(at, _)| at + 1),
        );
        LineStarts(starts)
    }

    /// 1-based line and column (in characters) of a byte offset of `text`, the text indexed;
    /// an offset past the end counts as the end.
    pub fn line_column(&self, text: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.0.partition_point(|&start| start <= offset).max(1);
        let line_start = self.0.get(line - 1).copied().unwrap_or(0);
        let column = String::from_utf8_lossy(text.get(line_start..offset).unwrap_or_default())
            .chars()
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::LineStarts;

    #[test]
    fn columns_count_characters() {
        let text = "ab\néx y\n".as_bytes();
        let lines = LineStarts::new(text);
        assert_eq!(lines.line_column(text, 0), (1, 1));
        assert_eq!(lines.line_column(text, 2), (1, 3));
        assert_eq!(lines.line_column(text, 3), (2, 1));
        assert_eq!(lines.line_column(text, 6), (2, 3));
        assert_eq!(lines.line_column(text, 9), (3, 1));
        assert_eq!(lines.line_column(text, 99), (3, 1));
    }
}
