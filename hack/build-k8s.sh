#!/usr/bin/env bash
# Builds kube-apiserver and etcd from Go modules into .cache/k8sbin (git-ignored), once.
# Later runs reuse the cache when the version stamp matches. Prints progress as it goes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mod="$root/hack/k8sbin"
out="${HERALD_K8SBIN:-$root/.cache/k8sbin}"
k8s_version=$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2; exit}' "$mod/go.mod")
minor=$(echo "$k8s_version" | cut -d. -f2)
etcd_version=$(awk '$1=="go.etcd.io/etcd/server/v3" {print $2}' "$mod/go.mod")
stamp="kube-apiserver=$k8s_version etcd=$etcd_version"

if [[ -x "$out/kube-apiserver" && -x "$out/etcd" && "$(cat "$out/STAMP" 2>/dev/null)" == "$stamp" ]]; then
  echo "k8sbin: cached ($stamp) in $out"
  exit 0
fi
command -v go >/dev/null || { echo "k8sbin: Go is required to build kube-apiserver and etcd (https://go.dev/dl)" >&2; exit 1; }
mkdir -p "$out"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
cd "$mod"
start=$(date +%s)
echo "k8sbin: downloading modules for $stamp (first run only; a few hundred MB)"
go mod download
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
echo "k8sbin: building etcd $etcd_version ($(( $(date +%s) - start ))s elapsed)"
go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3
mv "$out/etcd.tmp" "$out/etcd"
echo "k8sbin: building kube-apiserver $k8s_version ($(( $(date +%s) - start ))s elapsed; the slow part, 5-15 min cold on 2 cores)"
go build -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$out/kube-apiserver.tmp" "$out/kube-apiserver"
echo "$stamp" > "$out/STAMP"
echo "k8sbin: done in $(( $(date +%s) - start ))s: $out"
