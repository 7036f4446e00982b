#!/usr/bin/env bash
# Build the Debian/Ubuntu package of komora-sync-server (cargo-deb) and check what is in it.
#
#   bash scripts/package-deb.sh                   # release build: the package to install
#   bash scripts/package-deb.sh --dev             # from the debug binary the tests built (seconds)
#   bash scripts/package-deb.sh --dev --install   # also install it HERE, run it as the service
#                                                 # would and purge it (a throwaway machine: CI)
#
# The package lands in target/debian/. cargo-deb is installed with `cargo install --locked`
# when missing (about 2 minutes). --dev relies on cargo-deb still accepting the dev profile
# (it warns that a future version will not); the version is pinned below for that reason.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
dev=false
install=false
for arg in "$@"; do
    case "$arg" in
        --dev) dev=true ;;
        --install) install=true ;;
        *) echo "usage: $0 [--dev] [--install]" >&2; exit 2 ;;
    esac
done

if ! cargo deb --version >/dev/null 2>&1; then
    echo "installing cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi

rm -f target/debian/komora-sync-server_*.deb
if $dev; then
    if [ ! -x target/debug/komora-sync-server ]; then
        echo "no debug build of the server: run cargo build -p komora-sync-server first" >&2
        exit 1
    fi
    cargo deb -p komora-sync-server --profile dev --no-build --quiet
else
    cargo deb -p komora-sync-server -- --locked
fi
deb=$(ls target/debian/komora-sync-server_*.deb)
echo "built $deb"

fail() { echo "package check FAILED: $*" >&2; exit 1; }

# What is inside, and the control data.
contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/komora-sync-server ./usr/lib/systemd/system/komora-sync-server.service \
        ./etc/komora-sync/config.toml ./usr/share/doc/komora-sync-server/README.Debian; do
    grep -q " $path\$" <<<"$contents" || fail "$path is not in the package"
done
grep -q '^-rw-r----- .* ./etc/komora-sync/config.toml$' <<<"$contents" \
    || fail "the settings are not 0640"
[ "$(dpkg-deb --field "$deb" Package)" = komora-sync-server ] || fail "package name"
dpkg-deb --field "$deb" Depends | grep -q adduser || fail "it must depend on adduser"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb --raw-extract "$deb" "$work/root"
grep -qx /etc/komora-sync/config.toml "$work/root/DEBIAN/conffiles" || fail "config.toml is no conffile"
grep -q 'adduser --system' "$work/root/DEBIAN/postinst" || fail "postinst makes no user"
grep -q 'deb-systemd-helper enable komora-sync-server.service' "$work/root/DEBIAN/postinst" \
    || fail "postinst does not enable the service"
"$work/root/usr/bin/komora-sync-server" --version >/dev/null || fail "the packaged binary does not run"

# systemd's own reading of the packaged unit (where systemd is installed).
if command -v systemd-analyze >/dev/null 2>&1; then
    sed "s|^ExecStart=/usr/bin/|ExecStart=$work/root/usr/bin/|" \
        "$work/root/usr/lib/systemd/system/komora-sync-server.service" > "$work/komora-sync-server.service"
    warnings=$(systemd-analyze verify --man=no "$work/komora-sync-server.service" 2>&1) \
        || fail "systemd-analyze verify: $warnings"
    [ -z "$warnings" ] || fail "systemd-analyze verify: $warnings"
    echo "systemd-analyze verify: the unit reads without a warning"
else
    echo "systemd-analyze is not installed: the unit was not verified by systemd" >&2
fi

if $install; then
    [ "$(id -u)" = 0 ] || fail "--install needs root (and a machine you can throw away)"
    echo "installing $deb on this machine"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
    getent passwd komora >/dev/null || fail "no user komora"
    [ "$(stat -c '%a %U %G' /var/lib/komora-sync)" = "700 komora komora" ] || fail "/var/lib/komora-sync"
    [ "$(stat -c '%a %U %G' /var/backups/komora-sync)" = "700 komora komora" ] || fail "/var/backups/komora-sync"
    [ "$(stat -c '%a %U %G' /etc/komora-sync/config.toml)" = "640 root komora" ] || fail "config.toml"
    # Where systemd runs (a VM), the install started the service: stop it, so the store's lock
    # is free for the run below.
    if [ -d /run/systemd/system ]; then
        systemctl stop komora-sync-server.service 2>/dev/null || true
    fi
    # Run it as the unit does (as komora, with the packaged settings), on a free port, until it
    # has printed its bootstrap code and a first backup exists (this run's, or the service's
    # when the install started it).
    log="$work/server.log"
    runuser -u komora -- /usr/bin/komora-sync-server --config /etc/komora-sync/config.toml \
        --listen 127.0.0.1:0 >"$log" 2>&1 &
    pid=$!
    backup_exists() { ls /var/backups/komora-sync/komora-sync-*.db >/dev/null 2>&1; }
    for _ in $(seq 1 300); do
        grep -q '^bootstrap code: ' "$log" && backup_exists && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    grep -q '^bootstrap code: ' "$log" || fail "no bootstrap code: $(cat "$log")"
    backup_exists || fail "no first backup: $(cat "$log")"
    grep -q 'WARNING: the backup folder' "$log" || fail "no same-disk warning: $(cat "$log")"
    runuser -u komora -- /usr/bin/komora-sync-server --config /etc/komora-sync/config.toml \
        backup-status >/dev/null || fail "backup-status"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq komora-sync-server >/dev/null 2>&1
    [ -f /var/lib/komora-sync/komora-sync.db ] || fail "a purge deleted the store"
    [ ! -e /etc/komora-sync/config.toml ] || fail "a purge left the settings"
    echo "installed, ran as komora with the packaged settings, purged (the store is kept)"
fi
echo "package checks passed: $deb"
