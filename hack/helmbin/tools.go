//go:build tools

// Package helmbin only exists so `go mod tidy` keeps Helm's modules in go.sum.
package helmbin

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
