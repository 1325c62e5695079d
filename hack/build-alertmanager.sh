#!/usr/bin/env bash
# Builds Prometheus Alertmanager and amtool from Go modules into .cache/ambin (git-ignored), once,
# for the wire tests that run a real Alertmanager in front of the agent. Later runs reuse the cache
# when the version stamp matches. Prints progress as it goes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="${HERALD_AMBIN:-$root/.cache/ambin}"
version=v0.28.1
stamp="alertmanager=$version amtool=$version"

if [[ -x "$out/alertmanager" && -x "$out/amtool" && "$(cat "$out/STAMP" 2>/dev/null)" == "$stamp" ]]; then
  echo "ambin: cached ($stamp) in $out"
  exit 0
fi
command -v go >/dev/null || { echo "ambin: Go is required to build Alertmanager and amtool (https://go.dev/dl)" >&2; exit 1; }
mkdir -p "$out"
# Build into a scratch folder first: a half-built pair is never taken for a cached one.
tmp=$(mktemp -d "$out/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "ambin: building alertmanager and amtool $version (first run only; 1-2 min on 2 cores, ~110 MB of modules to download)"
# `go install pkg@version` builds outside any module, from the release's own go.mod. The version
# ldflags make `--version` and the webhook's User-Agent say what was built. GOFLAGS is cleared so
# the caller's flags (tags, -mod) cannot change what is built.
ldflags="-s -w -X github.com/prometheus/common/version.Version=${version#v} -X github.com/prometheus/common/version.Branch=HEAD"
CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOBIN="$tmp" go install -trimpath -ldflags "$ldflags" \
  "github.com/prometheus/alertmanager/cmd/alertmanager@$version" \
  "github.com/prometheus/alertmanager/cmd/amtool@$version"
mv "$tmp/alertmanager" "$out/alertmanager"
mv "$tmp/amtool" "$out/amtool"
echo "$stamp" > "$out/STAMP"
echo "ambin: done in $(( $(date +%s) - start ))s: $out"
