#!/usr/bin/env bash
# Fails when a tracked file references a path outside the repository: the shared folder beside a CI checkout
# (the "shared" folder one level up) or an absolute path of a developer machine (/work/..., /home/<user>/..., /root/..., /Users/<user>/...).
# The project must build and test in a clone at any path with nothing beside it. Documents that explain where
# vendored test data came from (tests/testdata/*/README.md) may name the original location.
# Usage: eng/check-paths.sh [repository root]   (exit 0 = clean; 1 = offending lines printed)
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 2

pattern='\.\./shared([/"'"'"' ]|$)|(^|[^A-Za-z0-9_.~-])/(work|root)/|/home/[A-Za-z0-9_.-]+/|/Users/[A-Za-z0-9_.-]+/'
allowed='^(tests/testdata/[^/]+/README\.md|eng/check-paths\.sh)$'

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files() { git ls-files -z; }
else
  files() { find . -type f -not -path './.git/*' -not -path '*/bin/*' -not -path '*/obj/*' -not -path './.tools/*' -not -path './artifacts/*' -printf '%P\0'; }
fi

hits="$(files | grep -zvE "$allowed" | xargs -0 -r grep -nIE -- "$pattern" 2>/dev/null | cut -c1-240)"
if [ -n "$hits" ]; then
  echo "error: tracked files reference paths outside the repository (the shared folder one level up, or a developer machine's absolute path)." >&2
  echo "The project must build and test in a clone at any path with nothing beside it: use TestPaths (tests) or a path" >&2
  echo "relative to the repository root instead. Offending lines:" >&2
  echo "$hits" >&2
  exit 1
fi
exit 0
