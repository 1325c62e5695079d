#!/usr/bin/env bash
# Builds the Helm CLI from Go modules into .cache/helmbin (git-ignored), once, for the chart tests
# (helm lint, helm template). Later runs reuse the cache when the version stamp matches.
# HERALD_HELMBIN overrides the output folder. Prints progress as it goes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/helmbin"
out="${HERALD_HELMBIN:-$root/.cache/helmbin}"
version=$(awk '$1=="require" && $2=="helm.sh/helm/v4" {print $3; exit}' "$mod/go.mod")
stamp="helm=$version"

if [[ -x "$out/helm" && "$(cat "$out/STAMP" 2>/dev/null)" == "$stamp" ]]; then
  echo "helmbin: cached ($stamp) in $out"
  exit 0
fi
command -v go >/dev/null || { echo "helmbin: Go is required to build Helm (https://go.dev/dl)" >&2; exit 1; }
mkdir -p "$out"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
cd "$mod"
start=$(date +%s)
echo "helmbin: downloading modules for $stamp (first run only; ~250 MB)"
go mod download
echo "helmbin: building helm $version ($(( $(date +%s) - start ))s elapsed; 2-6 min cold on 2 cores)"
# The version ldflag makes `helm version` say what was built, as Helm's own Makefile does.
go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
  -o "$out/helm.tmp" helm.sh/helm/v4/cmd/helm
mv "$out/helm.tmp" "$out/helm"
echo "$stamp" > "$out/STAMP"
echo "helmbin: done in $(( $(date +%s) - start ))s: $out"
