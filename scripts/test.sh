#!/usr/bin/env bash
# The test command: installs what the tests need (when missing), builds everything with
# warnings as errors, runs every test project and ends with a line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/setup-tools.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

configuration="${CONFIGURATION:-Release}"
if ! dotnet build RetailEdge.sln -c "$configuration" -warnaserror -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/TestResults"
rm -rf "$results"
filter=()
[ -n "${TEST_FILTER:-}" ] && filter=(--filter "$TEST_FILTER")
dotnet test RetailEdge.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m "${filter[@]}" -- RunConfiguration.TreatNoTestsAsError=false
status=$?

exec "$root/scripts/count-results.sh" "$results" "$status"
