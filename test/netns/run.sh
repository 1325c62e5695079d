#!/usr/bin/env bash
# Runs a command in a private network namespace (root only) whose loopback also holds the pod
# addresses the service-proxy tests give their agents. A member API server proxies to no loopback
# address (127.0.0.0/8 Endpoints are refused), and these addresses exist nowhere but here, so
# nothing outside the namespace can reach what the tests start, nor they anything outside.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "test/netns/run.sh: needs root, for a network namespace of its own (unshare --net)" >&2
  exit 1
fi
exec unshare --net bash -c '
  ip link set lo up
  for a in 10.244.0.10 10.244.0.11 10.244.0.12; do ip addr add "$a/32" dev lo; done
  exec "$@"' netns "$@"
