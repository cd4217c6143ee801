#!/usr/bin/env bash
# Packs every library under src/ and the `gitops` .NET tool into artifacts/packages (.nupkg + .snupkg), with README,
# license expression, XML docs, SourceLink and package validation (src/Directory.Build.props). Samples and tests are
# not packable. Usage: eng/pack.sh [extra dotnet pack arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/packages
dotnet pack GitOps.Sdk.sln -c Release -p:GitOpsSourceLink=true -o artifacts/packages "$@"
echo "Packages in artifacts/packages:"
ls -1 artifacts/packages
