//go:build tools

// Package k8sbin only exists so `go mod tidy` keeps the binaries' modules in go.sum.
package k8sbin

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
