#!/bin/sh
# Launch → first painted window of an app image's console, measured from outside the process: the
# wall clock just before exec, and the moment the console's marker line ("first-paint", printed on
# the second pulse after its window is shown) arrives on its output; then the time until it has
# exited. N launches (needs a display: DISPLAY, or run the script under xvfb-run).
# Usage: first-paint.sh target/installer/Tether [N]          (or any launcher: first-paint.sh -l CMD [N])
set -eu
if [ "$1" = -l ]; then launcher=$2; shift 2; else launcher="$1/bin/Tether"; shift; fi
n=${1:-6}
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
i=0
while [ $i -lt $n ]; do
  i=$((i + 1))
  rm -f "$home/start"
  # the reader sees each line as it is written (the console flushes the marker at once)
  ( now_ms > "$home/start"; TETHER_HOME="$home" TETHER_FIRST_PAINT_REPORT=true TETHER_FIRST_PAINT_EXIT=true \
      TETHER_LOG_LEVEL=WARN exec $launcher ) 2>&1 | {
    painted=""
    while IFS= read -r line; do
      case $line in first-paint*) [ -n "$painted" ] || painted=$(now_ms) ;; esac
    done
    ended=$(now_ms)
    start=$(cat "$home/start")
    if [ -z "$painted" ]; then echo "launch $i: no first-paint marker (does the console open here?)" >&2; exit 1; fi
    echo "launch $i: first-paint-ms=$((painted - start)) exit-ms=$((ended - start))"
  }
done
