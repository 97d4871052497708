#!/usr/bin/env bash
# Adds up the trx files in a results folder and prints "N passed, N failed".
#   scripts/count-results.sh RESULTS_DIR RUN_STATUS
# A run that exited non-zero without a failed test (an aborted run) counts as one failure.
# Exits 0 only when nothing failed.
set -uo pipefail
results="$1"; status="${2:-0}"
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ $failed -eq 0 ]; then
  echo "the test run aborted (exit $status) without a failed test: counting it as a failure"
  failed=1
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
