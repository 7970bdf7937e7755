//! Enables the AVX-512 correlation kernel (`cfg(touchtone_avx512)`) on compilers that have
//! the AVX-512 intrinsics and `#[target_feature(enable = "avx512bw")]` (Rust 1.89), so the
//! crate keeps building on its `rust-version` without it.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rustc-check-cfg=cfg(touchtone_avx512)");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| {
            // "rustc 1.89.0 (…)"
            let mut parts = v.split_whitespace().nth(1)?.split('.');
            let major: u32 = parts.next()?.parse().ok()?;
            let minor: u32 = parts.next()?.parse().ok()?;
            Some((major, minor))
        });
    if matches!(version, Some((major, minor)) if (major, minor) >= (1, 89)) {
        println!("cargo:rustc-cfg=touchtone_avx512");
    }
}
