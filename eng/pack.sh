#!/usr/bin/env bash
# Packs every library under src/ and the `gitops` .NET tool into artifacts/packages (.nupkg + .snupkg), with README,
# license expression, XML docs, symbols and package validation (src/Directory.Build.props). Samples and tests are not
# packable. SourceLink needs a git remote (a GitHub clone has one): without one it is left off, with a note, instead
# of producing empty source links. Usage: eng/pack.sh [extra dotnet pack arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
sourcelink=true
if [ -z "$(git remote 2>/dev/null)" ]; then
  echo "note: this clone has no git remote, so packages are built without SourceLink" >&2
  sourcelink=false
fi
rm -rf artifacts/packages
dotnet pack GitOps.Sdk.sln -c Release -p:GitOpsSourceLink=$sourcelink -o artifacts/packages "$@"
echo "Packages in artifacts/packages:"
ls -1 artifacts/packages
