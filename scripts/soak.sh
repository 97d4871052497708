#!/usr/bin/env bash
# The long form of the fault suite: the tests tagged Category=Fault, scaled up by RETAILEDGE_SOAK=1
# (200 kills instead of 20, a 72 h WAN outage instead of 4 h, 100,000 fuzz cases per input instead of
# a few thousand). Prints each test's figures; ends with "N passed, N failed" like scripts/test.sh.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Test projects with fault tests: one per line.
projects=(
  tests/RetailEdge.Contracts.Tests
  tests/RetailEdge.StoreGateway.Core.Tests
  tests/RetailEdge.StoreGateway.Tests
  tests/RetailEdge.Lakehouse.Tests
  tests/RetailEdge.Processor.Tests
)

configuration="${CONFIGURATION:-Release}"
results="$root/TestResults/soak"
rm -rf "$results"
export RETAILEDGE_SOAK=1
status=0
for project in "${projects[@]}"; do
  dotnet build "$project" -c "$configuration" -warnaserror -nologo -v quiet || { echo "build of $project failed"; status=1; continue; }
  dotnet test "$project" -c "$configuration" --no-build -nologo --filter "Category=Fault" \
    --logger "trx" --logger "console;verbosity=detailed" --results-directory "$results" \
    --blame-hang-timeout 60m || status=1
done

exec "$root/scripts/count-results.sh" "$results" "$status"
