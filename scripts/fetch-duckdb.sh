#!/usr/bin/env bash
# Obtains libduckdb.so 1.5.6 (linux-x64) from its pinned npm package into .tools/duckdb (git-ignored).
# RETAILEDGE_DUCKDB_LIB=/path/to/libduckdb.so skips the download and uses that library instead.
# Run by the build of cloud/RetailEdge.DuckDb when the library is missing; safe to run concurrently.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${RETAILEDGE_DUCKDB_LIB:-}" ]; then
  [ -f "$RETAILEDGE_DUCKDB_LIB" ] || { echo "fetch-duckdb: RETAILEDGE_DUCKDB_LIB=$RETAILEDGE_DUCKDB_LIB does not exist" >&2; exit 1; }
  exit 0
fi
dest="$root/.tools/duckdb"
[ -f "$dest/libduckdb.so" ] && exit 0

pkg="@duckdb/node-bindings-linux-x64@1.5.6-r.1"
# sha256 of libduckdb.so inside that package: a changed or corrupted download is refused.
expected_sha256="3f4962cdd266eab2b479a5b5a4a6d063d279b2954ae814ed00385d553b747633"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "fetch-duckdb: only linux-x64 is fetched automatically; set RETAILEDGE_DUCKDB_LIB to a DuckDB 1.5.6 library for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || { echo "fetch-duckdb: npm is required to fetch $pkg (or set RETAILEDGE_DUCKDB_LIB)" >&2; exit 1; }

mkdir -p "$dest"
# One fetch at a time: parallel builds wait for the first one instead of downloading twice.
exec 9>"$dest/.fetch.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
[ -f "$dest/libduckdb.so" ] && exit 0

echo "fetch-duckdb: fetching libduckdb.so from npm package $pkg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "$pkg" >"$tmp/npm.log" 2>&1); then
  echo "fetch-duckdb: 'npm pack $pkg' failed:" >&2
  cat "$tmp/npm.log" >&2
  echo "fetch-duckdb: set RETAILEDGE_DUCKDB_LIB to an existing DuckDB 1.5.6 library to build without npm" >&2
  exit 1
fi
tar -xzf "$tmp"/*.tgz -C "$tmp" package/libduckdb.so
actual_sha256="$(sha256sum "$tmp/package/libduckdb.so" | cut -d' ' -f1)"
if [ "$actual_sha256" != "$expected_sha256" ]; then
  echo "fetch-duckdb: libduckdb.so from $pkg has sha256 $actual_sha256, expected $expected_sha256; refusing it" >&2
  exit 1
fi
# Copy under a unique name, then rename: readers never see a half-written library.
partial="$(mktemp "$dest/libduckdb.so.XXXXXX")"
cp "$tmp/package/libduckdb.so" "$partial"
chmod 0644 "$partial"
mv -f "$partial" "$dest/libduckdb.so"
echo "fetch-duckdb: libduckdb.so ready in $dest"
