#!/usr/bin/env bash
# Installs the Debian packages `npm run bench` uses for the C tools' ceiling: wrk (HTTP/1.1) and
# h2load (HTTP/2, in nghttp2-client). The bench also needs nginx and openssl: scripts/install-peers.sh.
# Idempotent: when both are present it does not touch apt at all.
set -euo pipefail

PACKAGES=(wrk nghttp2-client)

missing=()
[[ -x /usr/bin/wrk ]] || missing+=("/usr/bin/wrk")
[[ -x /usr/bin/h2load ]] || missing+=("/usr/bin/h2load")
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-bench-tools: wrk and h2load present; nothing to do"
  exit 0
fi
echo "install-bench-tools: missing: ${missing[*]}"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-bench-tools: ERROR: not root and no sudo; as root: apt-get install ${PACKAGES[*]}" >&2
    exit 1
  fi
fi
"${SUDO[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
echo "install-bench-tools: installed ${PACKAGES[*]}"
