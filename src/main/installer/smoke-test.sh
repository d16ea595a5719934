#!/bin/sh
# Smoke test of an app image's command-line launcher: --version, graphs --json, and serve stopped by
# SIGTERM within its deadline (control file removed); and, when the .deb was built beside the image,
# that it declares the console's run-time libraries (GTK 3 first of all).
# Usage: smoke-test.sh target/installer/Tether
set -eu
app=$1
cli="$app/bin/tether-cli"
home=$(mktemp -d)
export TETHER_HOME="$home"
trap 'rm -rf "$home"' EXIT

fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

deb=$(ls "$(dirname "$app")"/*.deb 2>/dev/null | head -1 || true)
if [ -n "$deb" ]; then
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libgtk-3-0 libpango-1.0-0 libfreetype6 libfontconfig1 libglib2.0-0 libx11-6 libgl1; do
    echo "$depends" | grep -qE "(^|[ ,|])$lib([ ,|]|\$)" || fail "$(basename "$deb") does not depend on $lib (Depends: $depends)"
  done
  echo "deb depends: $depends"
fi

version=$("$cli" --version | head -1)
[ "$version" = "tether 0.1.0" ] || fail "--version printed '$version'"
"$cli" graphs --json | grep -q '"id":"book-workflow"' || fail "graphs --json lacks book-workflow"

"$cli" serve --shutdown-timeout 10s > "$home/serve.log" 2>&1 &
pid=$!
i=0
while [ ! -f "$home/control.json" ]; do
  i=$((i + 1)); [ $i -le 300 ] || fail "serve did not start: $(cat "$home/serve.log")"
  sleep 0.1
done
run=$("$cli" submit book-workflow --input nodeMillis=60000)
"$cli" status "$run" --json | grep -q '"graph":"book-workflow"' || fail "status of $run"
start=$(date +%s)
kill -TERM $pid
status=0
wait $pid || status=$?
took=$(( $(date +%s) - start ))
[ $status -eq 143 ] || [ $status -eq 0 ] || fail "serve exited with $status"
[ $took -le 11 ] || fail "serve took ${took}s to stop (deadline 10s)"
[ ! -f "$home/control.json" ] || fail "control file left behind"
echo "smoke test passed: $version; serve stopped ${took}s after SIGTERM"
