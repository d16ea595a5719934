#!/bin/sh
# Builds the trimmed runtime, the app image (with a start-up cache trained on it, when a display or
# xvfb-run is available) and, on Linux, the .deb made from that app image.
# Run by `mvn -B -Pinstaller -DskipTests package` from the project root, after target/tether/lib exists.
# Usage: build-installers.sh JAVA_HOME [deb|nodeb]
set -eu
jdk=$1
want_deb=${2:-deb}
app=target/installer/Tether
modules=$(grep -v '^#' src/main/installer/modules.txt | tr -s ' \n' ',' | sed 's/^,//; s/,$//')

rm -rf target/jlink-runtime target/installer
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-6 \
  --output target/jlink-runtime
# the JVM's symbol table only serves crash reports; 5 MB of the size budget
if command -v strip >/dev/null 2>&1; then strip --strip-unneeded target/jlink-runtime/lib/server/libjvm.so; fi
"$jdk/bin/jpackage" @jpackage.cfg --type app-image

# Start-up cache (JDK 25 AOT cache): one training run of the real console up to its first painted
# frame; both launchers then map it. Without a display the image simply starts without it.
if [ -n "${DISPLAY:-}" ] || command -v xvfb-run >/dev/null 2>&1; then
  training_home=$(mktemp -d)
  with_display() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a "$@"; fi; }
  TETHER_HOME="$training_home" TETHER_FIRST_PAINT_EXIT=true TETHER_LOG_LEVEL=WARN \
    JAVA_TOOL_OPTIONS="-XX:AOTCacheOutput=$PWD/$app/lib/app/tether.aot" \
    with_display timeout 120 "$app/bin/Tether" > target/installer-training.log 2>&1 || true
  rm -rf "$training_home"
fi
if [ -f "$app/lib/app/tether.aot" ]; then
  for cfg in "$app/lib/app/Tether.cfg" "$app/lib/app/tether-cli.cfg"; do
    echo 'java-options=-XX:AOTCache=$APPDIR/tether.aot' >> "$cfg" # [JavaOptions] is the last section
  done
  echo "start-up cache: $app/lib/app/tether.aot ($(du -sm "$app/lib/app/tether.aot" | cut -f1) MB)"
else
  echo "no start-up cache (no display to train on; see target/installer-training.log)" >&2
fi
echo "app image: $app ($(du -sm "$app" | cut -f1) MB)"

if [ "$(uname -s)" = Linux ] && [ "$want_deb" = deb ]; then
  if command -v dpkg-deb >/dev/null 2>&1 && command -v fakeroot >/dev/null 2>&1; then
    # the package wraps the finished app image; its identity comes from jpackage.cfg
    grep -E '^--(name|app-version|vendor|copyright|description|icon) ' jpackage.cfg > target/jpackage-identity.cfg
    "$jdk/bin/jpackage" --type deb --app-image "$app" @target/jpackage-identity.cfg @jpackage-linux.cfg --dest target/installer
    echo "deb: $(ls target/installer/*.deb) ($(du -sm target/installer/*.deb | cut -f1) MB)"
  else
    echo "no .deb: dpkg-deb and fakeroot are needed (apt-get install fakeroot)" >&2
    exit 3
  fi
fi
