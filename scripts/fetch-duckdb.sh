#!/usr/bin/env bash
# Obtains libduckdb.so 1.5.6 (linux-x64) from its pinned npm package into .tools/duckdb.
# RETAILEDGE_DUCKDB_LIB=/path/to/libduckdb.so skips the download and uses that library.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${RETAILEDGE_DUCKDB_LIB:-}" ]; then
  [ -f "$RETAILEDGE_DUCKDB_LIB" ] || { echo "RETAILEDGE_DUCKDB_LIB=$RETAILEDGE_DUCKDB_LIB does not exist" >&2; exit 1; }
  exit 0
fi
dest="$root/.tools/duckdb"
[ -f "$dest/libduckdb.so" ] && exit 0
pkg="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
echo "setup: fetching libduckdb.so from npm package $pkg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>&1)
tar -xzf "$tmp"/*.tgz -C "$tmp" package/libduckdb.so
mkdir -p "$dest"
mv "$tmp/package/libduckdb.so" "$dest/libduckdb.so.partial"
mv "$dest/libduckdb.so.partial" "$dest/libduckdb.so"
echo "setup: libduckdb.so ready in $dest"
