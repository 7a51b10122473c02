#!/usr/bin/env bash
# Installs the Debian packages the test suite runs as real peers (nginx, httpbin under gunicorn,
# openssl for the test PKI, nghttpd and caddy for HTTP/2). Idempotent: when everything is present it does not touch apt at all.
set -euo pipefail

PACKAGES=(nginx-light python3-httpbin gunicorn openssl nghttp2-server caddy)

missing=()
[[ -x /usr/sbin/nginx ]] || missing+=("/usr/sbin/nginx")
# /usr/bin/gunicorn specifically: pyenv's gunicorn cannot import Debian's httpbin.
[[ -x /usr/bin/gunicorn ]] || missing+=("/usr/bin/gunicorn")
[[ -f /usr/lib/python3/dist-packages/httpbin/__init__.py ]] || missing+=("python3 module httpbin")
command -v openssl >/dev/null 2>&1 || missing+=("openssl")
[[ -x /usr/sbin/nghttpd ]] || missing+=("/usr/sbin/nghttpd")
[[ -x /usr/bin/caddy ]] || missing+=("/usr/bin/caddy")

# INSTALL_PEERS_FORCE=1 goes through apt even when everything looks present.
if [[ ${#missing[@]} -eq 0 && ${INSTALL_PEERS_FORCE:-0} != 1 ]]; then
  echo "install-peers: all test peers present (nginx, gunicorn, httpbin, openssl, nghttpd, caddy); nothing to do"
  exit 0
fi
echo "install-peers: missing: ${missing[*]:-(none, forced)}"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-peers: ERROR: not root and no sudo; install as root: apt-get install ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

# Installing nginx would start the system service on port 80 unless a policy forbids it. Add a
# temporary "deny all" policy when the machine has none, and remove it again afterwards.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
cleanup() {
  if [[ $added_policy -eq 1 ]]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  added_policy=1
fi

# Wait for another apt/dpkg run instead of failing on its lock. --no-upgrade: a re-run must not
# upgrade packages that are already installed.
APT_OPTS=(-o DPkg::Lock::Timeout=300)
echo "install-peers: apt-get update"
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update
echo "install-peers: apt-get install ${PACKAGES[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends --no-upgrade \
  "${PACKAGES[@]}"

# Verify rather than trust the exit code: a peer that is still missing fails here, loudly.
for path in /usr/sbin/nginx /usr/bin/gunicorn /usr/lib/python3/dist-packages/httpbin/__init__.py /usr/sbin/nghttpd /usr/bin/caddy; do
  if [[ ! -e $path ]]; then
    echo "install-peers: ERROR: $path still missing after apt-get install" >&2
    exit 1
  fi
done
command -v openssl >/dev/null 2>&1 || { echo "install-peers: ERROR: openssl still missing" >&2; exit 1; }
echo "install-peers: done"
