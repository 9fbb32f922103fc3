#!/usr/bin/env bash
# Debian packages that recledger needs beyond Python's:
#   icu      libicu-dev, pkg-config, g++: PyICU (the confusables skeleton of names) builds
#            against the system's ICU
#   browser  chromium: the browser tests drive Debian's Chromium (Playwright cannot download one)
# As root, installs what is missing with apt-get; otherwise says what is missing and how to
# install it, and leaves the rest to the caller (setup fails on PyICU; the browser tests skip
# and print why in the test summary).
set -euo pipefail
case "${1:-}" in
  icu)
    pkg-config --exists icu-uc 2>/dev/null && command -v g++ >/dev/null && exit 0
    packages=(libicu-dev pkg-config g++) ;;
  browser)
    command -v chromium >/dev/null && exit 0
    packages=(chromium) ;;
  *) echo "usage: $0 icu|browser" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-packages: ${packages[*]} missing; install them (apt-get install ${packages[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 ||
  { apt-get update -q >/dev/null && apt-get install -y -q "${packages[@]}" >/dev/null; } ||
  echo "system-packages: could not install ${packages[*]} with apt-get" >&2
