#!/usr/bin/env bash
# Lands the current worktree's branch on main (fast-forward only), serialised with other worktrees.
# Usage, from a worktree: eng/land.sh   (merge main into your branch first and make sure it builds and tests pass)
set -euo pipefail
branch="$(git rev-parse --abbrev-ref HEAD)"
main_dir="$(git worktree list --porcelain | awk '/^worktree /{w=$2} /^branch refs\/heads\/main$/{print w}')"
exec 9>/tmp/gitops-main.lock
flock 9
if ! git merge-base --is-ancestor main HEAD; then
  echo "main has moved: run 'git merge main', rebuild, retest, then land again" >&2
  exit 1
fi
git -C "$main_dir" merge --ff-only "$branch"
echo "landed $branch at $(git rev-parse --short HEAD) on main"
