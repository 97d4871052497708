#!/usr/bin/env bash
# Regenerates the figures of BENCHMARKS.md: every command that a section of BENCHMARKS.md names,
# run in the order of the file, each output kept in artifacts/bench/<id>.txt.
#
#   scripts/bench.sh              every benchmark (about an hour on 2 cores)
#   scripts/bench.sh --list       the ids and their commands
#   scripts/bench.sh ID [ID …]    only these (e.g. scripts/bench.sh delta duckdb)
#
# Benchmarks are measurements, not tests: nothing here fails on a slow figure. Compare the new
# output with the section of BENCHMARKS.md that names the same command, ideally on a quiet machine.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# id | command (run from the repository root; "bench" is the built benchmark runner)
benchmarks=(
  "duckdb|bench duckdb"
  "mqtt|bench mqtt 3000"
  "iothub|bench iothub"
  "lakehouse-incremental|bench lakehouse-incremental"
  "emulator-load|bench emulator-load"
  "emulator-load-durable|bench emulator-load --ack-after-write"
  "lakehouse-scale-10|bench lakehouse-scale 10 reference"
  "lakehouse-scale-100|bench lakehouse-scale 100 reference"
  "processor-memory|bench processor-memory 200"
  "delta|bench delta"
  "gateway|DOTNET_gcConcurrent=0 DOTNET_GCgen0size=0x1000000 bench gateway 10"
  "gateway-day-write|DOTNET_gcConcurrent=0 DOTNET_GCgen0size=0x1000000 bench gateway-day --write artifacts/bench/day.bin"
  "gateway-day-replay|bench gateway-day --replay artifacts/bench/day.bin"
  "gateway-day-module|bench gateway-day --module artifacts/bench/day.bin"
  "gateway-steady|DOTNET_gcConcurrent=0 DOTNET_GCgen0size=0x1000000 bench gateway 10 steady"
  "gateway-live-10|DOTNET_gcConcurrent=0 bench gateway 10 live"
  "gateway-live-60|DOTNET_gcConcurrent=0 bench gateway 60 live"
  "gateway-live-200|DOTNET_gcConcurrent=0 bench gateway 200 live"
  "simulator|bench simulator 50 1 reference"
  "gateway-memory|dotnet build tests/RetailEdge.StoreGateway.Tests -c Release -nologo -v quiet && dotnet test tests/RetailEdge.StoreGateway.Tests -c Release --no-build -nologo --filter FullyQualifiedName~Process_HeapCapped --logger 'console;verbosity=detailed'"
  "fault-long|scripts/soak.sh"
)

if [ "${1:-}" = "--list" ]; then
  for entry in "${benchmarks[@]}"; do printf '%-24s %s\n' "${entry%%|*}" "${entry#*|}"; done
  exit 0
fi

wanted=("$@")
is_wanted() {
  [ ${#wanted[@]} -eq 0 ] && return 0
  local w; for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

for w in "${wanted[@]}"; do
  found=0
  for entry in "${benchmarks[@]}"; do [ "${entry%%|*}" = "$w" ] && found=1; done
  [ $found -eq 1 ] || { echo "bench.sh: unknown benchmark '$w' (see --list)" >&2; exit 2; }
done

"$root/scripts/setup-tools.sh" || { echo "bench.sh: setup failed" >&2; exit 1; }
dotnet build bench/RetailEdge.Benchmarks -c Release -nologo -v quiet || { echo "bench.sh: build failed" >&2; exit 1; }
dotnet build tools/RetailEdge.Cli -c Release -nologo -v quiet || { echo "bench.sh: build failed" >&2; exit 1; }

out="$root/artifacts/bench"
mkdir -p "$out"
# "bench NAME …" runs the already built runner, so a benchmark never times a build.
bench() { dotnet run -c Release --no-build --project "$root/bench/RetailEdge.Benchmarks" -- "$@"; }
export -f bench
export root

status=0
for entry in "${benchmarks[@]}"; do
  id="${entry%%|*}"; command="${entry#*|}"
  is_wanted "$id" || continue
  echo "== $id: $command  ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
  if bash -c "$command" 2>&1 | tee "$out/$id.txt"; then :; else
    echo "bench.sh: $id exited with an error (output in $out/$id.txt)"; status=1
  fi
done
echo "outputs in $out"
exit $status
