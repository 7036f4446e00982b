//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libkomora_ffi.so
//! --language kotlin --out-dir DIR`: the bindings are generated, never committed.

fn main() {
    uniffi::uniffi_bindgen_main()
}
