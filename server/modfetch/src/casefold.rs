//! Go's case folding for file name collisions (`strToFold` in `x/mod/zip`).

/// Folds a path for Go's case-insensitive collision check (`strToFold` in `x/mod/zip`): two
/// paths collide when their folds are equal.
///
/// Go maps each character to the smallest member of its simple case-folding orbit. We build the
/// orbit from Rust's single-character case mappings; the equivalence classes agree with Go's for
/// the letters that file paths may contain.
pub(crate) fn fold_path(path: &str) -> String {
    if path
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        return path.to_owned();
    }
    path.chars().map(fold_char).collect()
}

fn fold_char(character: char) -> char {
    if character.is_ascii() {
        return character.to_ascii_lowercase();
    }
    let mut orbit = vec![character];
    let mut next = 0;
    while let Some(&member) = orbit.get(next) {
        next += 1;
        for mapped in [
            single_char(member.to_lowercase()),
            single_char(member.to_uppercase()),
        ]
        .into_iter()
        .flatten()
        {
            if !orbit.contains(&mapped) {
                orbit.push(mapped);
            }
        }
        if orbit.len() > 8 {
            break;
        }
    }
    let smallest = orbit.into_iter().min().unwrap_or(character);
    smallest.to_ascii_lowercase()
}

fn single_char(mut mapping: impl Iterator<Item = char>) -> Option<char> {
    let first = mapping.next()?;
    mapping.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold_path("M.GO"), fold_path("m.go"));
        assert_eq!(fold_path("\u{212a}"), fold_path("k"));
        assert_eq!(fold_path("Σ"), fold_path("ς"));
        assert_eq!(fold_path("ǅ"), fold_path("ǆ"));
        assert_ne!(fold_path("a"), fold_path("b"));
        assert_eq!(fold_path("already/lower.go"), "already/lower.go");
    }
}
