//! The JSON `go mod edit -json` and `go work edit -json` print: the same fields, spelling, order
//! and omitted empty values, and [`to_go_json_string`] for go's `json.MarshalIndent(x, "", "\t")`
//! byte for byte.

use crate::modfile::rules::{ModFile, ModuleVersion, WorkFile};
use crate::modfile::sort::{remove_duplicate_entries_gomod, remove_duplicate_entries_gowork};

/// A JSON value as go's encoder writes one of its structs: object members stay in the order
/// they were added (go's field order), which a `serde_json::Map` keeps only with its
/// `preserve_order` feature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoJson {
    /// `true` or `false`.
    Bool(bool),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<GoJson>),
    /// An object: its members in order.
    Object(Vec<(&'static str, GoJson)>),
}

impl From<&str> for GoJson {
    fn from(text: &str) -> GoJson {
        GoJson::String(text.to_owned())
    }
}

impl From<String> for GoJson {
    fn from(text: String) -> GoJson {
        GoJson::String(text)
    }
}

impl From<bool> for GoJson {
    fn from(flag: bool) -> GoJson {
        GoJson::Bool(flag)
    }
}

/// The members of a JSON object in go's order.
type Members = Vec<(&'static str, GoJson)>;

/// The `go mod edit -json` value of a go.mod file read strictly.
///
/// As `go mod edit` does before printing, duplicate entries are dropped (`removeDups`) and so are
/// the entries `File.Cleanup` treats as deleted: godebugs with an empty key, requirements,
/// exclusions and replacements with an empty path, retractions with empty bounds.
pub fn gomod_json(file: &ModFile) -> GoJson {
    let mut file = file.clone();
    remove_duplicate_entries_gomod(&mut file);

    let mut object = Members::new();
    let mut module = Members::new();
    if let Some(statement) = &file.module {
        module.push(("Path", statement.path.clone().into()));
        insert_nonempty(&mut module, "Deprecated", &statement.deprecated);
    } else {
        module.push(("Path", "".into()));
    }
    object.push(("Module", GoJson::Object(module)));
    if let Some(go) = &file.go {
        insert_nonempty(&mut object, "Go", &go.version);
    }
    if let Some(toolchain) = &file.toolchain {
        insert_nonempty(&mut object, "Toolchain", &toolchain.name);
    }
    let godebug = file
        .godebug
        .iter()
        .filter(|godebug| !godebug.key.is_empty())
        .map(|godebug| key_value(&godebug.key, &godebug.value))
        .collect();
    insert_list(&mut object, "GoDebug", godebug);
    let require = file
        .require
        .iter()
        .filter(|require| !require.module.path.is_empty())
        .map(|require| {
            let mut entry = module_object(&require.module);
            if require.indirect {
                entry.push(("Indirect", true.into()));
            }
            GoJson::Object(entry)
        })
        .collect();
    insert_list(&mut object, "Require", require);
    let exclude = file
        .exclude
        .iter()
        .filter(|exclude| !exclude.module.path.is_empty())
        .map(|exclude| GoJson::Object(module_object(&exclude.module)))
        .collect();
    insert_list(&mut object, "Exclude", exclude);
    let replace = file
        .replace
        .iter()
        .filter(|replace| !replace.old.path.is_empty())
        .map(|replace| replace_object(&replace.old, &replace.new))
        .collect();
    insert_list(&mut object, "Replace", replace);
    let retract = file
        .retract
        .iter()
        .filter(|retract| !retract.low.is_empty() || !retract.high.is_empty())
        .map(|retract| {
            let mut entry = Members::new();
            insert_nonempty(&mut entry, "Low", &retract.low);
            insert_nonempty(&mut entry, "High", &retract.high);
            insert_nonempty(&mut entry, "Rationale", &retract.rationale);
            GoJson::Object(entry)
        })
        .collect();
    insert_list(&mut object, "Retract", retract);
    let tool = file
        .tool
        .iter()
        .map(|tool| path_object(&tool.path))
        .collect();
    insert_list(&mut object, "Tool", tool);
    let ignore = file
        .ignore
        .iter()
        .map(|ignore| path_object(&ignore.path))
        .collect();
    insert_list(&mut object, "Ignore", ignore);
    GoJson::Object(object)
}

/// The `go work edit -json` value of a go.work file.
///
/// As `go work edit` does, duplicate replacements are dropped, and so are `use` lines and
/// replacements with an empty path (`WorkFile.Cleanup`); godebugs with an empty key stay.
pub fn gowork_json(file: &WorkFile) -> GoJson {
    let mut file = file.clone();
    remove_duplicate_entries_gowork(&mut file);

    let mut object = Members::new();
    if let Some(go) = &file.go {
        insert_nonempty(&mut object, "Go", &go.version);
    }
    if let Some(toolchain) = &file.toolchain {
        insert_nonempty(&mut object, "Toolchain", &toolchain.name);
    }
    let godebug = file
        .godebug
        .iter()
        .map(|godebug| key_value(&godebug.key, &godebug.value))
        .collect();
    insert_list(&mut object, "Godebug", godebug);
    let uses = file
        .uses
        .iter()
        .filter(|used| !used.path.is_empty())
        .map(|used| {
            let mut entry = Members::new();
            entry.push(("DiskPath", used.path.clone().into()));
            insert_nonempty(&mut entry, "ModPath", &used.module_path);
            GoJson::Object(entry)
        })
        .collect();
    insert_list(&mut object, "Use", uses);
    let replace = file
        .replace
        .iter()
        .filter(|replace| !replace.old.path.is_empty())
        .map(|replace| replace_object(&replace.old, &replace.new))
        .collect();
    insert_list(&mut object, "Replace", replace);
    GoJson::Object(object)
}

/// Adds a string field unless it is empty (go's `omitempty`).
fn insert_nonempty(object: &mut Members, key: &'static str, value: &str) {
    if !value.is_empty() {
        object.push((key, value.into()));
    }
}

/// Adds a list field unless it is empty (go's `omitempty` on a nil slice).
fn insert_list(object: &mut Members, key: &'static str, list: Vec<GoJson>) {
    if !list.is_empty() {
        object.push((key, GoJson::Array(list)));
    }
}

/// `{"Key": …, "Value": …}`.
fn key_value(key: &str, value: &str) -> GoJson {
    GoJson::Object(vec![("Key", key.into()), ("Value", value.into())])
}

/// `{"Path": …}`.
fn path_object(path: &str) -> GoJson {
    GoJson::Object(vec![("Path", path.into())])
}

/// go's `module.Version`: `{"Path": …, "Version": …}` with the version omitted when empty.
fn module_object(module: &ModuleVersion) -> Members {
    let mut entry = vec![("Path", module.path.clone().into())];
    insert_nonempty(&mut entry, "Version", &module.version);
    entry
}

/// `{"Old": {…}, "New": {…}}`.
fn replace_object(old: &ModuleVersion, new: &ModuleVersion) -> GoJson {
    GoJson::Object(vec![
        ("Old", GoJson::Object(module_object(old))),
        ("New", GoJson::Object(module_object(new))),
    ])
}

/// go's `json.MarshalIndent(value, "", "\t")`: one member or element per line, indented with
/// tabs, `"key": value`, empty objects and arrays as `{}` and `[]`, and strings escaped as go
/// escapes them (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes). No trailing newline.
pub fn to_go_json_string(value: &GoJson) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push('\t');
    }
}

fn write_value(out: &mut String, value: &GoJson, depth: usize) {
    match value {
        GoJson::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        GoJson::String(text) => write_string(out, text),
        GoJson::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_indent(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            write_indent(out, depth);
            out.push(']');
        }
        GoJson::Object(members) => {
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (index, (key, member)) in members.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_indent(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, member, depth + 1);
            }
            write_indent(out, depth);
            out.push('}');
        }
    }
}

/// go's JSON string encoding with HTML escaping on.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_indentation_and_escaping() {
        let value = GoJson::Object(vec![
            (
                "Module",
                GoJson::Object(vec![("Path", "a<b>&c\u{2028}\u{1}\t\"\\é".into())]),
            ),
            ("Empty", GoJson::Array(Vec::new())),
            ("Obj", GoJson::Object(Vec::new())),
            ("List", GoJson::Array(vec![true.into(), "x".into()])),
        ]);
        let expected = "{\n\t\"Module\": {\n\t\t\"Path\": \"a\\u003cb\\u003e\\u0026c\\u2028\\u0001\\t\\\"\\\\é\"\n\t},\n\t\"Empty\": [],\n\t\"Obj\": {},\n\t\"List\": [\n\t\ttrue,\n\t\t\"x\"\n\t]\n}";
        assert_eq!(to_go_json_string(&value), expected);
    }
}
