#!/usr/bin/env bash
# Builds Prometheus's promtool from Go modules into .cache/promtool (git-ignored), once, for the
# monitoring tests: promtool check metrics on real scrapes, check rules and test rules on the
# shipped rule file. Later runs reuse the cache when the version stamp matches.
# HERALD_PROMTOOL overrides the output folder. Prints progress as it goes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/promtool"
out="${HERALD_PROMTOOL:-$root/.cache/promtool}"
version=$(awk '$1=="require" && $2=="github.com/prometheus/prometheus" {print $3; exit}' "$mod/go.mod")
stamp="promtool=$version"

if [[ -x "$out/promtool" && "$(cat "$out/STAMP" 2>/dev/null)" == "$stamp" ]]; then
  echo "promtool: cached ($stamp) in $out"
  exit 0
fi
command -v go >/dev/null || { echo "promtool: Go is required to build promtool (https://go.dev/dl)" >&2; exit 1; }
mkdir -p "$out"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
cd "$mod"
start=$(date +%s)
echo "promtool: downloading modules for $stamp (first run only; several hundred MB: Prometheus brings its service discovery SDKs)"
go mod download
echo "promtool: building promtool $version ($(( $(date +%s) - start ))s elapsed; 3-8 min cold on 2 cores)"
go build -trimpath -ldflags "-s -w" -o "$out/promtool.tmp" github.com/prometheus/prometheus/cmd/promtool
mv "$out/promtool.tmp" "$out/promtool"
echo "$stamp" > "$out/STAMP"
echo "promtool: done in $(( $(date +%s) - start ))s: $out"
