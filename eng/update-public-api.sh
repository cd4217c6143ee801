#!/usr/bin/env bash
# Records new public API in PublicAPI.Unshipped.txt of every packable project (or of the projects given).
# Run after adding or changing public members; review the diff of the PublicAPI files like any code.
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  mapfile -t projects < <(ls src/*/*.csproj)
fi
for p in "${projects[@]}"; do
  dir=$(dirname "$p")
  [ -f "$dir/PublicAPI.Unshipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  dotnet format analyzers "$p" --diagnostics RS0016 RS0017 RS0036 RS0037 --severity info
done
