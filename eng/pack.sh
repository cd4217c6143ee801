#!/usr/bin/env bash
# Packs every library under src/ and the `gitops` .NET tool into artifacts/packages (.nupkg + .snupkg), with README,
# license expression, XML docs, symbols and package validation (src/Directory.Build.props). Samples and tests are not
# packable. SourceLink needs a git remote with a URL (a GitHub clone has one): a clone without a remote, or whose
# remote is a local path (`git clone /some/folder`), is packed without SourceLink, with a note, instead of producing
# warnings and empty source links. Usage: eng/pack.sh [extra dotnet pack arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
sourcelink=true
remote="$(git remote 2>/dev/null | head -n 1 || true)"
url="$( [ -n "$remote" ] && git remote get-url "$remote" 2>/dev/null || true)"
# A URL: scheme://host/... (not file://) or scp-like user@host:path.
if ! printf '%s' "$url" | grep -qE '^([A-Za-z][A-Za-z0-9+.-]*://[^/]+/|[^/@:]+@[^/:]+:)' || printf '%s' "$url" | grep -qiE '^file://'; then
  if [ -z "$remote" ]; then
    echo "note: this clone has no git remote, so packages are built without SourceLink" >&2
  else
    echo "note: the remote '$remote' is a local path ($url), not a URL, so packages are built without SourceLink" >&2
  fi
  sourcelink=false
fi
rm -rf artifacts/packages
dotnet pack GitOps.Sdk.sln -c Release -p:GitOpsSourceLink=$sourcelink -o artifacts/packages "$@"
echo "Packages in artifacts/packages:"
ls -1 artifacts/packages
