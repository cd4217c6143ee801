#!/usr/bin/env bash
# Fails when a project under src/ references a project it may not (docs/architecture.md, "Packages and which may
# reference which"): plugins (Git, Helm, Oci, Kustomize, Kubernetes, and any new src/GitOps.Sdk.* package) reference
# GitOps.Sdk.Abstractions only, never the engine src/GitOps.Sdk; the Abstractions reference no project at all; the
# engine references the Abstractions only. GitOps.Sdk.Testing (test helpers), GitOps.Sdk.HealthChecks (a health check
# over the engine's controller) and GitOps.Cli (the tool) may reference the engine. Usage: eng/check-package-references.sh [repository root]   (exit 0 = clean; 1 = offending lines printed)
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 2

# allowed <project name> : the project names it may reference (space separated)
allowed() {
  case "$1" in
    GitOps.Sdk.Abstractions) echo "" ;;
    GitOps.Sdk) echo "GitOps.Sdk.Abstractions" ;;
    GitOps.Sdk.Testing) echo "GitOps.Sdk.Abstractions GitOps.Sdk" ;;
    GitOps.Sdk.HealthChecks) echo "GitOps.Sdk.Abstractions GitOps.Sdk" ;;
    GitOps.Sdk.AspNetCore) echo "GitOps.Sdk.Abstractions GitOps.Sdk" ;;
    GitOps.Cli) echo "*" ;;
    *) echo "GitOps.Sdk.Abstractions" ;;
  esac
}

status=0
for csproj in src/*/*.csproj; do
  project="$(basename "$csproj" .csproj)"
  permitted=" $(allowed "$project") "
  [ "$permitted" = " * " ] && continue
  # Every ProjectReference Include="…", one per line.
  while IFS= read -r reference; do
    [ -n "$reference" ] || continue
    target="$(basename "${reference//\\//}" .csproj)"
    if [[ "$permitted" != *" $target "* ]]; then
      echo "error: $csproj references $target; ${project} may reference only:${permitted% }" >&2
      [ "$target" = "GitOps.Sdk" ] && echo "       (plugins take the contracts from GitOps.Sdk.Abstractions, small helpers from src/Shared; see docs/architecture.md)" >&2
      status=1
    fi
  done < <(grep -oE '<ProjectReference[^>]*Include="[^"]+"' "$csproj" | sed -E 's/.*Include="([^"]+)"/\1/')
done
exit $status
