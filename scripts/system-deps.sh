#!/usr/bin/env bash
# Makes sure the Debian packages the test suite runs for real are present: installs the
# missing ones with apt-get when run as root, otherwise says exactly what to install.
set -euo pipefail

# command -> Debian package
declare -A packages=(
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [redis-sentinel]=redis-sentinel
  [openssl]=openssl
  [nginx]=nginx
  [haproxy]=haproxy
  [chromium]=chromium
)

missing=()
for cmd in "${!packages[@]}"; do
  # nginx and haproxy live in /usr/sbin, which a non-root PATH may lack.
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${packages[$cmd]}")
done
# Python module (imported by Debian's /usr/bin/python3) -> Debian package
declare -A python_modules=(
  # the Prometheus text format parser of the official client (test/support/prometheus-text.ts)
  [prometheus_client]=python3-prometheus-client
)
for module in "${!python_modules[@]}"; do
  /usr/bin/python3 -c "import $module" >/dev/null 2>&1 || missing+=("${python_modules[$module]}")
done

((${#missing[@]} == 0)) && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (needed by the test suite)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "the test suite needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
