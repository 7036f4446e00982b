#!/usr/bin/env bash
# Every test of the repository: the Rust workspace, then the Kotlin API on the JVM against the
# real core (Maven builds the cdylib, generates the bindings and runs JUnit 5 through JNA).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
mvn -B -q -f android/pom.xml verify
