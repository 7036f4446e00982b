#!/usr/bin/env bash
# A short scripted session: create a vault, record clients, edit one, read its history.
# Uses a throw-away vault in a temporary folder unless KOMORA_VAULT is set.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release -p komora-cli
komora=target/release/komora
export KOMORA_VAULT="${KOMORA_VAULT:-$(mktemp -d)/vault}"
export KOMORA_PASSPHRASE="${KOMORA_PASSPHRASE:-Nyungwe forest at dawn}"
$komora init
id=$($komora client add --name "Mukamana Odette" --sex F --birth-year 1978 --district Huye --group genocide-survivor)
$komora client add --name "Habimana Eric" --sex M --district Nyaruguru --group ex-prisoner >/dev/null
$komora client edit "$id" --name "Mukamana Odette Uwera" --phone "0788 123 456" >/dev/null
$komora client list
$komora client history "$id" name
echo "Vault kept at $KOMORA_VAULT"
