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

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  echo "the test run aborted (exit $status) without a failed test: counting it as a failure"
  failed=1
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
