#!/bin/sh
# Launch → first painted window of an app image's console, N times (needs a display: DISPLAY or xvfb-run).
# Usage: first-paint.sh target/installer/Tether [N]
set -eu
app=$1; n=${2:-6}
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
i=0
while [ $i -lt $n ]; do
  i=$((i + 1))
  TETHER_HOME="$home" TETHER_FIRST_PAINT_REPORT=true TETHER_FIRST_PAINT_EXIT=true "$app/bin/Tether" 2>&1 | grep first-paint-ms
done
