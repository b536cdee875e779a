#!/usr/bin/env bash
# Find (or, as root, install) the system packages the tests need:
# Chromium (browser tests), fonts-nanum (Hangul in PDFs), poppler-utils (pdftoppm:
# rasterising labels to decode them), PostgreSQL server binaries (initdb, pg_ctl).
set -u

missing=()
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing+=(fonts-nanum)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
  || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (chromium, fonts-nanum, poppler-utils, postgresql)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  status=$?
  if [ $status -ne 0 ]; then
    echo "ERROR: apt-get could not install: ${missing[*]}" >&2
    exit $status
  fi
  # The postgresql package starts a cluster of its own; the tests start their own instead.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
    service postgresql stop >/dev/null 2>&1 || true
  fi
  exit 0
fi

echo "MISSING system packages: ${missing[*]}" >&2
echo "  install them with: sudo apt-get install ${missing[*]}" >&2
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: CI needs them (browser tests, label decoding and PostgreSQL are not skipped in CI)" >&2
  exit 1
fi
echo "  (continuing: tests that need them will be skipped)" >&2
exit 0
