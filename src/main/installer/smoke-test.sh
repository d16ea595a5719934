#!/bin/sh
# Smoke test of an app image and of the packages built beside it (installs neither):
# - the app image's command-line launcher: --version, graphs --json, and serve stopped by SIGTERM
#   within its deadline (control file removed);
# - the .deb: its metadata (dpkg-deb -f: the console's run-time libraries, GTK 3 first of all, and a
#   real description), lintian with no error beyond the overrides the package ships, maintainer
#   scripts that go on where the machine has no desktop menu;
# - the .rpm, where rpmbuild is installed: its metadata (rpm -qip), the libraries it requires, its
#   own folder only (not /opt), scriptlets that go on where the machine has no desktop menu;
# - each package unpacked as it would be installed (times kept): both launchers start with the
#   start-up cache accepted (-XX:AOTMode=on fails a JVM that cannot use it).
# Usage: smoke-test.sh target/installer/Tether
set -eu
app=$1
dir=$(dirname "$app")
cli="$app/bin/tether-cli"
home=$(mktemp -d)
export TETHER_HOME="$home"
trap 'rm -rf "$home"' EXIT

fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
# the launchers of an unpacked package (or of the image) start with their own cache, or fail
caches_accepted() {
  [ -f "$1/lib/app/tether.aot" ] || fail "$1 has no start-up cache"
  for launcher in tether-cli Tether; do
    out=$(JAVA_TOOL_OPTIONS=-XX:AOTMode=on "$1/bin/$launcher" --version 2>&1) \
      || fail "$1/bin/$launcher cannot use the start-up cache: $out"
  done
}
needs() { command -v "$1" > /dev/null 2>&1 || fail "$1 is needed ($2)"; }

deb=$(ls "$dir"/*.deb 2>/dev/null | head -1 || true)
if [ -n "$deb" ]; then
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libgtk-3-0 libpango-1.0-0 libfreetype6 libfontconfig1 libglib2.0-0 libx11-6 libgl1; do
    echo "$depends" | grep -qE "(^|[ ,|])$lib([ ,|]|\$)" || fail "$(basename "$deb") does not depend on $lib (Depends: $depends)"
  done
  [ "$(dpkg-deb -f "$deb" Package Version | tr '\n' ' ')" = "Package: tether Version: 0.1.0 " ] \
    || fail "$(basename "$deb"): $(dpkg-deb -f "$deb" Package Version)"
  [ "$(dpkg-deb -f "$deb" Description | wc -l)" -gt 5 ] || fail "$(basename "$deb") has no extended description"
  echo "deb depends: $depends"

  needs lintian "apt-get install lintian"
  # errors only fail (the package's overrides cover what jpackage's /opt layout and runtime impose);
  # lintian refuses to run as root without --allow-root
  tags=$(lintian --allow-root --no-tag-display-limit "$deb" 2>&1 || true)
  echo "$tags" | grep -E '^[EW]: ' | sed 's/^/lintian: /' || true
  if echo "$tags" | grep -q '^E: '; then fail "lintian reports errors for $(basename "$deb")"; fi

  # its maintainer scripts go on where xdg-desktop-menu fails (a machine with no desktop menu): the
  # postinst run with a stand-in that fails as the real one does there
  dpkg-deb -e "$deb" "$home/deb-control"
  mkdir -p "$home/no-menu"
  printf '#!/bin/sh\necho "xdg-desktop-menu: No writable system menu directory found." >&2\nexit 3\n' > "$home/no-menu/xdg-desktop-menu"
  chmod 755 "$home/no-menu/xdg-desktop-menu"
  out=$(PATH="$home/no-menu:$PATH" sh "$home/deb-control/postinst" configure 2>&1) \
    || fail "$(basename "$deb")'s postinst fails where there is no desktop menu: $out"
  echo "$out" | grep -q "going on without the menu entry" || fail "$(basename "$deb")'s postinst did not say so: $out"
  [ "$(grep -c 'xdg-desktop-menu uninstall' "$home/deb-control/prerm")" \
    = "$(grep -c 'xdg-desktop-menu uninstall .*going on without the menu entry' "$home/deb-control/prerm")" ] \
    || fail "$(basename "$deb")'s prerm fails where xdg-desktop-menu does"

  unpacked="$home/deb"
  dpkg-deb -x "$deb" "$unpacked"
  caches_accepted "$unpacked/opt/tether"
  echo "deb: lintian clean of errors; installs where there is no desktop menu; unpacked launchers start with the cache"
fi

rpm=$(ls "$dir"/*.rpm 2>/dev/null | head -1 || true)
if command -v rpmbuild > /dev/null 2>&1 && [ -n "$deb" ] && [ -z "$rpm" ]; then fail "rpmbuild is installed but no .rpm was built"; fi
if [ -n "$rpm" ]; then
  needs rpm "apt-get install rpm"
  info=$(rpm -qip "$rpm" 2>/dev/null)
  echo "$info" | grep -qE '^Name +: tether$' || fail "$(basename "$rpm"): $info"
  echo "$info" | grep -qE '^Version +: 0\.1\.0$' || fail "$(basename "$rpm"): $info"
  requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
  for soname in libgtk-3.so.0 libpango-1.0.so.0 libfreetype.so.6 libfontconfig.so.1 libglib-2.0.so.0 libX11.so.6 libGL.so.1; do
    echo "$requires" | grep -qxF "$soname()(64bit)" || fail "$(basename "$rpm") does not require $soname()(64bit)"
  done
  echo "rpm requires: $(echo "$requires" | tr '\n' ' ')"
  # it owns its own folder, not /opt (which the filesystem package owns)
  files=$(rpm -qlp "$rpm" 2>/dev/null)
  echo "$files" | grep -qxF /opt && fail "$(basename "$rpm") owns /opt"
  echo "$files" | grep -qxF /opt/tether/bin/tether-cli || fail "$(basename "$rpm") lacks /opt/tether/bin/tether-cli"
  unpacked="$home/rpm"
  mkdir -p "$unpacked"
  cp "$rpm" "$home/tether.rpm"
  rpm2archive "$home/tether.rpm" # writes tether.rpm.tgz beside it
  tar -xzf "$home/tether.rpm.tgz" -C "$unpacked"
  # its scriptlets go on where xdg-desktop-menu fails (no desktop menu): installed and erased there
  mkdir -p "$home/no-menu" "$home/rpm-scripts"
  printf '#!/bin/sh\necho "xdg-desktop-menu: No writable system menu directory found." >&2\nexit 3\n' > "$home/no-menu/xdg-desktop-menu"
  chmod 755 "$home/no-menu/xdg-desktop-menu"
  # (their /opt/tether pointed at the unpacked copy: nothing is installed)
  rpm -qp --qf '%{POSTIN}' "$rpm" 2>/dev/null | sed "s|/opt/tether/|$unpacked/opt/tether/|g" > "$home/rpm-scripts/post"
  rpm -qp --qf '%{PREUN}' "$rpm" 2>/dev/null | sed "s|/opt/tether/|$unpacked/opt/tether/|g" > "$home/rpm-scripts/preun"
  for step in "post 1" "preun 0"; do # the scriptlet, and the count rpm passes it on a first install and on an erase
    set -- $step
    out=$(PATH="$home/no-menu:$PATH" sh "$home/rpm-scripts/$1" "$2" 2>&1) \
      || fail "$(basename "$rpm")'s %$1 fails where there is no desktop menu: $out"
    [ "$(echo "$out" | grep -c "going on without the menu entry")" = 2 ] || fail "$(basename "$rpm")'s %$1 did not say so for both entries: $out"
  done
  out=$(PATH="$home/no-menu:$PATH" sh "$home/rpm-scripts/preun" 1 2>&1) || fail "$(basename "$rpm")'s %preun fails on an upgrade: $out"
  [ -z "$out" ] || fail "$(basename "$rpm")'s %preun touched the menu on an upgrade: $out"
  caches_accepted "$unpacked/opt/tether"
  echo "rpm: owns /opt/tether only; installs and is erased where there is no desktop menu; unpacked launchers start with the cache"
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
