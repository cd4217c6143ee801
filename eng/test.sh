#!/usr/bin/env bash
# The whole test suite on a fresh machine: checks that no tracked file points outside the repository
# (eng/check-paths.sh) and that packages reference only what they may (eng/check-package-references.sh), installs test dependencies (idempotent), builds with zero warnings, runs every test project,
# and ends with one plain line "N passed, N failed, N skipped" summed over all projects.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Fail fast when a tracked file points outside the repository (the shared folder beside a CI checkout, or an
# absolute path of a developer machine): the project must work in a clone at any path with nothing beside it.
bash eng/check-paths.sh || { echo "paths outside the repository are referenced (see above)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# Fail fast when a plugin package references the engine (src/GitOps.Sdk) or another project it may not
# (docs/architecture.md, "Packages and which may reference which").
bash eng/check-package-references.sh || { echo "a package references a project it may not (see above)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

bash eng/install-test-deps.sh || { echo "installing test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$root/.tools/bin:$PATH"

configuration="${CONFIGURATION:-Release}"
if ! dotnet build GitOps.Sdk.sln -c "$configuration" -warnaserror -nologo -clp:NoSummary -v:minimal; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
# Line and branch coverage of the shipped assemblies (coverlet.collector, eng/coverage.runsettings); COVERAGE=0 skips it.
coverage=()
if [ "${COVERAGE:-1}" != "0" ]; then
  coverage=(--collect "XPlat Code Coverage" --settings eng/coverage.runsettings)
fi
dotnet test GitOps.Sdk.sln -c "$configuration" --no-build --nologo \
  --logger "trx" --results-directory "$results" "${coverage[@]}" \
  --blame-hang-timeout 8m -- RunConfiguration.TreatNoTestsAsError=false "$@"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); ab=$(get aborted); total=$(get total); ex=$(get executed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${ab:-0}))
  skipped=$((skipped + ${total:-0} - ${ex:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without a failed test (a crash or hang of a test host): count it as a failure.
  failed=1
fi
if [ ${#coverage[@]} -gt 0 ]; then
  if command -v python3 >/dev/null 2>&1; then
    python3 eng/coverage-summary.py "$results" || echo "coverage: the summary could not be computed"
  else
    echo "coverage: python3 not found, summary skipped (reports are in $results)"
  fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
