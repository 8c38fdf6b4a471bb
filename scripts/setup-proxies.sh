#!/usr/bin/env bash
# setup-proxies.sh — install nginx, HAProxy and Caddy (Debian packages) for the real-proxy unit tests
# (test/unit/edge/proxy-*.test.ts), and GnuTLS's gnutls-serv (gnutls-bin) for the tests against a TLS stack other
# than OpenSSL (test/unit/http/gnutls.test.ts and others); only the ones missing, only as root, never starting
# their services. Idempotent: with all present it only checks. Without root (or with SKIP_APT=1) it says what is
# missing and exits 0: those tests then skip, naming this script.
set -euo pipefail
# command:package — the command a test looks for, and the Debian package that brings it.
wanted=(nginx:nginx haproxy:haproxy caddy:caddy gnutls-serv:gnutls-bin)
need=()
cmds=()
for w in "${wanted[@]}"; do
  command -v "${w%%:*}" >/dev/null || { need+=("${w#*:}"); cmds+=("${w%%:*}"); }
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || [ "${SKIP_APT:-}" = 1 ] || ! command -v apt-get >/dev/null; then
  echo "[setup-proxies] missing: ${need[*]} (install them as root: apt-get install ${need[*]}); their tests will skip" >&2
  exit 0
fi
echo "[setup-proxies] installing Debian packages: ${need[*]}" >&2
# Installing nginx (or haproxy, caddy) starts its system service on ports 80/443 unless policy-rc.d says no
# (exit 101 = "action forbidden"); ours exists only for the install, and one already there is left alone.
policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && ours=1
  trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
for c in "${cmds[@]}"; do command -v "$c" >/dev/null || { echo "[setup-proxies] $c is still missing after apt-get install" >&2; exit 1; }; done
