#!/usr/bin/env bash
# The FFI benchmark: the same calls in Rust and in Kotlin through the bindings, on the release
# build of the library; prints one table with ratios (figures in docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p komora-ffi --features test-hooks
rust=$(cargo bench --locked -p komora-ffi --features test-hooks --bench calls 2>/dev/null)
call=$(echo "$rust" | awk '$1 == "call" {print $2}')
list=$(echo "$rust" | awk '$1 == "list" {print $2}')
mvn -B -q -f android/pom.xml test-compile
mvn -B -q -f android/pom.xml exec:java \
    -Dexec.mainClass=org.ami.komora.FfiBenchKt -Dexec.classpathScope=test \
    -Djna.library.path="$PWD/target/release" -Drust.call="$call" -Drust.list="$list"
