//! Every WGSL file in the workspace's `shaders/` folder must parse and validate with naga, so a
//! broken shader fails `cargo test` instead of the app's first frame. The folder is listed at run
//! time, so new shaders are covered without touching this test.

use std::path::PathBuf;

fn shaders_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shaders")
}

#[test]
fn all_wgsl_files_validate() {
    let dir = shaders_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wgsl"))
        .collect();
    paths.sort();
    assert!(
        paths.iter().any(|p| p.ends_with("points.wgsl")),
        "points.wgsl missing from {}",
        dir.display()
    );

    let mut failures = Vec::new();
    for path in &paths {
        let source = std::fs::read_to_string(path).expect("shader is UTF-8 text");
        let module = match naga::front::wgsl::parse_str(&source) {
            Ok(module) => module,
            Err(err) => {
                failures.push(err.emit_to_string_with_path(&source, &path.display().to_string()));
                continue;
            }
        };
        // All validation flags; only baseline capabilities, so a shader that needs an optional
        // GPU feature fails here rather than on a user's machine.
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        );
        if let Err(err) = validator.validate(&module) {
            failures.push(err.emit_to_string_with_path(&source, &path.display().to_string()));
            continue;
        }
        eprintln!("validated {}", path.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
