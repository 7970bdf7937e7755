//! The committed C header must be what cbindgen generates from the current source.

use std::path::Path;

#[test]
fn committed_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let path = dir.join("include/touchtone.h");
    if std::env::var_os("TOUCHTONE_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/touchtone.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ffi/include/touchtone.h is stale (or missing): regenerate it with \
         `TOUCHTONE_BLESS=1 cargo test -p touchtone-ffi --test header` and commit it"
    );
    // The header declares what a C caller needs.
    let text = String::from_utf8(fresh).expect("UTF-8 header");
    for name in [
        "touchtone_version",
        "touchtone_strerror",
        "touchtone_detector_new",
        "touchtone_detector_free",
        "touchtone_detector_process_s16",
        "touchtone_detector_process_ulaw",
        "touchtone_detector_process_alaw",
        "touchtone_detector_finish",
        "touchtone_decode",
        "touchtone_generate",
        "TOUCHTONE_ERR_BUFFER_TOO_SMALL",
        "TouchtoneEventCallback",
    ] {
        assert!(text.contains(name), "header lacks {name}");
    }
}
