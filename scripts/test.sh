#!/usr/bin/env bash
# Every test of the repository: the Rust workspace, the Debian package of the server (when
# cargo-deb is installed), then the Kotlin API on the JVM against the real core (Maven builds
# the cdylib, generates the bindings and runs JUnit 5 through JNA).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
# Clippy's lints stay at zero: a warning is a failure (when clippy is installed; .ci/run adds it).
if cargo clippy --version >/dev/null 2>&1; then
    cargo clippy --workspace --all-targets --locked -- -D warnings
else
    echo "clippy is not installed: its lints are not checked (rustup component add clippy)" >&2
fi
# The core without its network code (reqwest behind the `http` feature: ARCHITECTURE.md's
# layers); it must still build.
cargo check -p komora-core --no-default-features --locked
# The Debian package, from the debug build above (seconds), when cargo-deb is installed (.ci/run
# installs it; its unit file and metadata are checked by cargo test either way). On CI it is
# also installed and run as its service would run it (KOMORA_DEB_INSTALL=1, a throwaway machine).
if cargo deb --version >/dev/null 2>&1; then
    bash scripts/package-deb.sh --dev ${KOMORA_DEB_INSTALL:+--install}
else
    echo "cargo-deb is not installed: the .deb is not built (see README, 'Installing on Debian or Ubuntu')" >&2
fi
mvn -B -q -f android/pom.xml verify
