//! Completion over cached data: a go.mod with 300 requirements, 20,000 known module paths and
//! 300 modules with 60 versions each. Every case should answer well under 2 ms.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::collections::HashMap;

use criterion::{Criterion, criterion_group, criterion_main};
use gomodls_ide::completion::{
    CompletionInput, KnownPath, ModuleData, ModuleVersion, ModuleVersions, PathSource, completions,
};
use gomodls_syntax::FileKind;

fn module_data() -> ModuleData {
    let known_paths = (0..20_000)
        .map(|index| KnownPath {
            path: format!("github.com/owner{}/repository{index}", index % 97),
            source: match index % 3 {
                0 => PathSource::Workspace,
                1 => PathSource::GoSum,
                _ => PathSource::ModuleCache,
            },
        })
        .collect();
    let versions = (0..300)
        .map(|module| {
            let versions = (0..60)
                .map(|minor| ModuleVersion::new(format!("v1.{minor}.{}", module % 7)))
                .collect();
            (
                format!("example.com/module{module}"),
                ModuleVersions {
                    versions,
                    complete: true,
                },
            )
        })
        .collect::<HashMap<_, _>>();
    ModuleData {
        known_paths,
        paths_loading: false,
        versions,
        go_toolchain: Some("1.27.3".to_owned()),
    }
}

fn go_mod() -> String {
    let mut text = String::from("module example.com/main\n\ngo 1.22\n\nrequire (\n");
    for module in 0..300 {
        text.push_str(&format!("\texample.com/module{module} v1.2.3\n"));
    }
    text.push_str(")\n");
    text
}

/// Times each case.
fn bench(criterion: &mut Criterion) {
    let modules = module_data();
    let base = go_mod();
    let cases = [
        ("keywords", format!("{base}\n")),
        ("module paths", format!("{base}\nrequire github.com/owner1")),
        ("all module paths", format!("{base}\nrequire ")),
        ("no module path", format!("{base}\nrequire zzz")),
        (
            "versions",
            format!("{base}\nrequire example.com/module150 v1."),
        ),
        ("godebug keys", format!("{base}\ngodebug ht")),
    ];
    for (name, text) in cases {
        let tree = gomodls_syntax::parse(FileKind::GoMod, text.as_bytes());
        let input = CompletionInput {
            kind: FileKind::GoMod,
            text: &text,
            tree: &tree,
            offset: text.len(),
            modules: &modules,
            local_modules: &[],
            snippets: true,
            facts: None,
        };
        criterion.bench_function(&format!("completion {name}"), |bencher| {
            bencher.iter(|| completions(&input));
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
