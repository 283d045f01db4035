#!/bin/sh
# The browser tests drive Debian's Chromium (Playwright's own browser download does not
# work offline): install it when it is missing and this machine lets us, else say so.
set -eu
chromium="${KEEPWORD_TEST_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing Chromium from Debian's packages for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "make test: no Chromium at $chromium, so the browser tests will be skipped;" \
    "install Debian's chromium package (or set KEEPWORD_TEST_CHROMIUM)"
fi
