#!/bin/sh
# Wall time of short command-line launches, side by side: each round runs every launcher once, in
# turn (so a change of load hits them all alike), N rounds, then prints each launcher's samples
# sorted, its median and the load average before and after; with /usr/bin/time, also the median CPU
# time (user + system), which a loaded machine disturbs less than the wall time.
# Usage: cli-start.sh N LAUNCHER [LAUNCHER...]     e.g.
#   cli-start.sh 21 target/tether/bin/tether target/installer/Tether/bin/tether-cli
# Each launcher is run as `LAUNCHER --version` (override with CLI_START_ARGS), output discarded.
set -eu
n=$1; shift
args=${CLI_START_ARGS:---version}
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
export TETHER_HOME="$home"
now_ns() { date +%s%N; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$n" ]; do
  i=$((i + 1)); k=0
  for launcher in "$@"; do
    k=$((k + 1))
    start=$(now_ns)
    if [ -x /usr/bin/time ]; then
      # shellcheck disable=SC2086 # the arguments are words on purpose
      /usr/bin/time -o "$home/cpu" -f '%U %S' $launcher $args > /dev/null 2>&1 || { echo "$launcher $args failed" >&2; exit 1; }
      awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$home/cpu" >> "$home/cpu$k"
    else
      # shellcheck disable=SC2086
      $launcher $args > /dev/null 2>&1 || { echo "$launcher $args failed" >&2; exit 1; }
    fi
    echo $(( ($(now_ns) - start) / 1000000 )) >> "$home/$k"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
k=0
for launcher in "$@"; do
  k=$((k + 1))
  cpu=""
  [ -f "$home/cpu$k" ] && cpu=", CPU median $(median "$home/cpu$k") ms"
  echo "$launcher $args: median $(median "$home/$k") ms$cpu  [$(sort -n "$home/$k" | tr '\n' ' ')]"
done
