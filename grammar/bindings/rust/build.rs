//! Compiles the three generated parsers and their external scanners.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["gomod", "gowork", "gosum"] {
        let src = root.join(name).join("src");
        let mut build = cc::Build::new();
        build
            .std("c11")
            .include(&src)
            .flag_if_supported("-Wno-unused-parameter")
            .flag_if_supported("-Wno-unused-but-set-variable")
            .flag_if_supported("-Wno-trigraphs");
        #[cfg(target_env = "msvc")]
        build.flag("-utf-8");
        for file in ["parser.c", "scanner.c"] {
            let path = src.join(file);
            build.file(&path);
            println!("cargo:rerun-if-changed={}", path.display());
        }
        build.compile(&format!("tree-sitter-{name}"));
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("common").join("scanner.h").display()
    );
}
