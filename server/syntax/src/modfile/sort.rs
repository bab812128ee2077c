//! The go command's `SortBlocks` and `removeDups`, as `go mod edit -fmt` and `go work edit -fmt`
//! apply them: duplicate `exclude`, `tool` and `ignore` lines go (the first stays), of `replace`
//! lines with the same old path and version only the last stays; then the lines inside each block
//! are sorted (single-line statements are never moved).
//!
//! The interpreted file is updated with the tree: removed entries leave its lists and every
//! [`LineRef`](crate::modfile::rules::LineRef) follows its line.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use crate::modfile::ast::{FileSyntax, Line, Statement};
use crate::modfile::rules::{LineKey, ModFile, ModuleVersion, WorkFile};
use crate::semver;

/// The go version from which `exclude` blocks sort versions semantically (go.dev/issue/60028).
const SEMANTIC_EXCLUDE_SORT_SINCE: &str = "v1.21";

/// go's `File.SortBlocks`: [`remove_dups_gomod`], then a stable sort of every block's lines.
pub fn sort_gomod(syntax: &mut FileSyntax, file: &mut ModFile) {
    remove_dups_gomod(syntax, file);
    let semantic_exclude = file.go.as_ref().is_some_and(|go| {
        semver::compare(&format!("v{}", go.version), SEMANTIC_EXCLUDE_SORT_SINCE) != Ordering::Less
    });
    let moves = sort_lines(syntax, |verb| match verb {
        "exclude" if semantic_exclude => compare_exclude_lines,
        "retract" => compare_retract_lines,
        _ => compare_lines,
    });
    remap(file.line_refs_mut(), &moves);
}

/// go's `WorkFile.SortBlocks`: [`remove_dups_gowork`], then a stable lexicographic sort of every
/// block's lines.
pub fn sort_gowork(syntax: &mut FileSyntax, file: &mut WorkFile) {
    remove_dups_gowork(syntax, file);
    let moves = sort_lines(syntax, |_| compare_lines);
    remap(file.line_refs_mut(), &moves);
}

/// go's `File.removeDups`: drops duplicate `exclude`, `replace`, `tool` and `ignore` lines from
/// the file and the tree; blocks left without lines disappear.
pub fn remove_dups_gomod(syntax: &mut FileSyntax, file: &mut ModFile) {
    let killed = remove_duplicate_entries_gomod(file);
    let moves = drop_lines(syntax, &killed);
    remap(file.line_refs_mut(), &moves);
}

/// go's `WorkFile.removeDups`: drops all but the last `replace` line per old path and version.
pub fn remove_dups_gowork(syntax: &mut FileSyntax, file: &mut WorkFile) {
    let killed = remove_duplicate_entries_gowork(file);
    let moves = drop_lines(syntax, &killed);
    remap(file.line_refs_mut(), &moves);
}

/// The list half of go's `removeDups` for go.mod: filters the lists and returns the lines whose
/// entries were dropped.
pub(crate) fn remove_duplicate_entries_gomod(file: &mut ModFile) -> HashSet<LineKey> {
    let mut killed = HashSet::new();
    keep_first(
        &mut file.exclude,
        &mut killed,
        |x| x.module.clone(),
        |x| x.syntax.key(),
    );
    keep_last_replace(&mut file.replace, &mut killed, |x| {
        (x.old.clone(), x.syntax.key())
    });
    keep_first(
        &mut file.tool,
        &mut killed,
        |x| x.path.clone(),
        |x| x.syntax.key(),
    );
    keep_first(
        &mut file.ignore,
        &mut killed,
        |x| x.path.clone(),
        |x| x.syntax.key(),
    );
    killed
}

/// The list half of go's `removeDups` for go.work (replacements only).
pub(crate) fn remove_duplicate_entries_gowork(file: &mut WorkFile) -> HashSet<LineKey> {
    let mut killed = HashSet::new();
    keep_last_replace(&mut file.replace, &mut killed, |x| {
        (x.old.clone(), x.syntax.key())
    });
    killed
}

/// Keeps the first entry per key; records the lines of the others.
fn keep_first<T, K: std::hash::Hash + Eq>(
    entries: &mut Vec<T>,
    killed: &mut HashSet<LineKey>,
    key: impl Fn(&T) -> K,
    line: impl Fn(&T) -> LineKey,
) {
    let mut seen = HashSet::new();
    for entry in entries.iter() {
        if !seen.insert(key(entry)) {
            killed.insert(line(entry));
        }
    }
    entries.retain(|entry| !killed.contains(&line(entry)));
}

/// Keeps the last replacement per old module; records the lines of the others.
fn keep_last_replace<T>(
    entries: &mut Vec<T>,
    killed: &mut HashSet<LineKey>,
    key_and_line: impl Fn(&T) -> (ModuleVersion, LineKey),
) {
    let mut seen = HashSet::new();
    for entry in entries.iter().rev() {
        let (old, line) = key_and_line(entry);
        if !seen.insert(old) {
            killed.insert(line);
        }
    }
    entries.retain(|entry| !killed.contains(&key_and_line(entry).1));
}

/// Removes the `killed` lines from the tree, and every block left without lines (as go does,
/// even a block that had none to begin with). Returns where each surviving line went.
fn drop_lines(syntax: &mut FileSyntax, killed: &HashSet<LineKey>) -> HashMap<LineKey, LineKey> {
    let mut moves = HashMap::new();
    let statements = std::mem::take(&mut syntax.statements);
    for (old_index, statement) in statements.into_iter().enumerate() {
        let new_index = syntax.statements.len();
        match statement {
            Statement::Line(line) => {
                if killed.contains(&(old_index, None)) {
                    continue;
                }
                moves.insert((old_index, None), (new_index, None));
                syntax.statements.push(Statement::Line(line));
            }
            Statement::Block(mut block) => {
                let lines = std::mem::take(&mut block.lines);
                for (old_line, line) in lines.into_iter().enumerate() {
                    if killed.contains(&(old_index, Some(old_line))) {
                        continue;
                    }
                    moves.insert(
                        (old_index, Some(old_line)),
                        (new_index, Some(block.lines.len())),
                    );
                    block.lines.push(line);
                }
                if block.lines.is_empty() {
                    continue;
                }
                syntax.statements.push(Statement::Block(block));
            }
            comments @ Statement::Comments(_) => syntax.statements.push(comments),
        }
    }
    moves
}

/// A comparison of two lines of a block.
type LineOrder = fn(&Line, &Line) -> Ordering;

/// Stable-sorts the lines of every block with the order `order_for` picks for the block's verb.
/// Returns where each moved line went.
fn sort_lines(
    syntax: &mut FileSyntax,
    order_for: impl Fn(&str) -> LineOrder,
) -> HashMap<LineKey, LineKey> {
    let mut moves = HashMap::new();
    for (statement_index, statement) in syntax.statements.iter_mut().enumerate() {
        let Statement::Block(block) = statement else {
            continue;
        };
        let verb = block.verb.first().map_or("", |token| token.text.as_str());
        let order = order_for(verb);
        let mut numbered: Vec<(usize, Line)> = std::mem::take(&mut block.lines)
            .into_iter()
            .enumerate()
            .collect();
        numbered.sort_by(|(_, a), (_, b)| order(a, b));
        for (new_line, (old_line, line)) in numbered.into_iter().enumerate() {
            if old_line != new_line {
                moves.insert(
                    (statement_index, Some(old_line)),
                    (statement_index, Some(new_line)),
                );
            }
            block.lines.push(line);
        }
    }
    moves
}

/// Points every reference at the place its line moved to.
fn remap<'a>(
    refs: impl Iterator<Item = &'a mut crate::modfile::rules::LineRef>,
    moves: &HashMap<LineKey, LineKey>,
) {
    for line_ref in refs {
        if let Some(&(statement, line)) = moves.get(&line_ref.key()) {
            line_ref.statement = statement;
            line_ref.line = line;
        }
    }
}

/// go's `compareLine`: token by token in byte order, then by token count.
fn compare_lines(a: &Line, b: &Line) -> Ordering {
    a.tokens
        .iter()
        .map(|token| token.text.as_str())
        .cmp(b.tokens.iter().map(|token| token.text.as_str()))
}

/// go's `compareLineExclude`: by path, then by semantic version, for `PATH VERSION` lines;
/// otherwise [`compare_lines`].
fn compare_exclude_lines(a: &Line, b: &Line) -> Ordering {
    match (a.tokens.as_slice(), b.tokens.as_slice()) {
        ([path_a, version_a], [path_b, version_b]) => path_a
            .text
            .cmp(&path_b.text)
            .then_with(|| semver::compare(&version_a.text, &version_b.text)),
        _ => compare_lines(a, b),
    }
}

/// go's `compareLineRetract`: intervals in descending order by low, then high version (a single
/// version is the interval from itself to itself; any other line counts as an invalid version).
fn compare_retract_lines(a: &Line, b: &Line) -> Ordering {
    fn interval(line: &Line) -> (&str, &str) {
        match line.tokens.as_slice() {
            [version] => (&version.text, &version.text),
            [open, low, comma, high, close]
                if open.text == "[" && comma.text == "," && close.text == "]" =>
            {
                (&low.text, &high.text)
            }
            _ => ("", ""),
        }
    }
    let (low_a, high_a) = interval(a);
    let (low_b, high_b) = interval(b);
    semver::compare(low_b, low_a).then_with(|| semver::compare(high_b, high_a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modfile::ast::{Comments, LineBlock, Paren, Position, Token};

    fn line(tokens: &[&str]) -> Line {
        Line {
            comments: Comments::default(),
            start: Position::default(),
            tokens: tokens
                .iter()
                .map(|text| Token {
                    text: (*text).to_owned(),
                    range: 0..0,
                })
                .collect(),
            end: Position::default(),
            in_block: true,
        }
    }

    fn block(verb: &str, lines: Vec<Line>) -> Statement {
        Statement::Block(LineBlock {
            comments: Comments::default(),
            start: Position::default(),
            verb: vec![Token {
                text: verb.to_owned(),
                range: 0..0,
            }],
            lparen: Paren::default(),
            lines,
            rparen: Paren::default(),
        })
    }

    fn texts(statement: &Statement) -> Vec<String> {
        match statement {
            Statement::Block(block) => block
                .lines
                .iter()
                .map(|line| {
                    line.tokens
                        .iter()
                        .map(|token| token.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn lines_compare_by_tokens_then_count() {
        assert_eq!(
            compare_lines(&line(&["a", "v1"]), &line(&["a", "v1", "x"])),
            Ordering::Less
        );
        assert_eq!(
            compare_lines(&line(&["a/b", "v1"]), &line(&["a", "v2"])),
            Ordering::Greater
        );
        assert_eq!(
            compare_lines(&line(&["a", "v1.10.0"]), &line(&["a", "v1.9.0"])),
            Ordering::Less
        );
    }

    #[test]
    fn retract_blocks_sort_descending_and_excludes_semantically_from_1_21() {
        let mut syntax = FileSyntax {
            comments: Comments::default(),
            statements: vec![
                block(
                    "retract",
                    vec![
                        line(&["v1.0.0"]),
                        line(&["[", "v1.1.0", ",", "v1.2.0", "]"]),
                        line(&["junk", "x"]),
                        line(&["[", "v1.1.0", ",", "v1.3.0", "]"]),
                    ],
                ),
                block(
                    "exclude",
                    vec![line(&["a", "v1.10.0"]), line(&["a", "v1.9.0"])],
                ),
            ],
        };
        let mut file = ModFile::default();
        sort_gomod(&mut syntax, &mut file);
        assert_eq!(
            texts(&syntax.statements[0]),
            [
                "[ v1.1.0 , v1.3.0 ]",
                "[ v1.1.0 , v1.2.0 ]",
                "v1.0.0",
                "junk x"
            ]
        );
        assert_eq!(texts(&syntax.statements[1]), ["a v1.10.0", "a v1.9.0"]);
    }
}
