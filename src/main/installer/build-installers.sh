#!/bin/sh
# Builds the trimmed runtime, the app image (with a start-up cache trained on the console where a
# display or xvfb-run is available, else on the command line) and, on Linux, the .deb and (where
# rpmbuild is installed) the .rpm made from that app image.
# Run by `mvn -B -Pinstaller -DskipTests package` from the project root, after target/tether/lib exists.
# Usage: build-installers.sh JAVA_HOME [deb|nodeb]
set -eu
jdk=$1
want_packages=${2:-deb}
app=target/installer/Tether
input=target/installer-input
here=src/main/installer
modules=$(grep -v '^#' $here/modules.txt | tr -s ' \n' ',' | sed 's/^,//; s/,$//')

# One time stamp for every file of the image and of the packages. A start-up cache records the
# modification time of each jar and the JVM refuses the cache when one differs; jpackage copies the
# image into its packages without keeping times, so dpkg-deb and rpmbuild clamp every time to
# SOURCE_DATE_EPOCH, the time the jars carry when the caches are trained (before this, the installed
# packages silently ran without their cache).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' \n')" = '177ELF' ]; }
# Symbol tables go too, not only debug sections: a packaged binary needs neither (lintian's
# unstripped-binary-or-object); the JVM's own symbols only serve crash reports.
strip_elf_below() {
  command -v strip > /dev/null 2>&1 || { echo "strip (binutils) is missing: binaries keep their symbols" >&2; return 0; }
  find "$1" -type f | while IFS= read -r f; do
    if is_elf "$f"; then strip --strip-unneeded "$f"; fi
  done
}

rm -rf target/jlink-runtime target/installer "$input"

# --- the application's files: the jars of target/tether/lib, minus what the target platform does not use
mkdir -p "$input"
for jar in target/tether/lib/*.jar; do
  # JavaFX's platform-neutral jars hold a manifest only; the -linux ones carry the code
  [ -n "$("$jdk/bin/jar" tf "$jar" | grep -v '^META-INF/' | head -1)" ] || continue
  cp -p "$jar" "$input/"
done
sqlite_options=""
if [ "$(uname -s)" = Linux ]; then
  # sqlite-jdbc carries its native library for 20 platforms (10 MB) and copies the one it needs to
  # /tmp at every start; the image keeps the target's only, as a file it loads in place.
  command -v zip > /dev/null 2>&1 || { echo "zip is missing (apt-get install zip)" >&2; exit 3; }
  sqlite_jar=$(ls "$input"/sqlite-jdbc-*.jar)
  native="org/sqlite/native/Linux/$(uname -m)/libsqlitejdbc.so"
  (cd "$input" && "$jdk/bin/jar" xf "$(basename "$sqlite_jar")" "$native")
  [ -f "$input/$native" ] || { echo "$sqlite_jar has no $native" >&2; exit 3; }
  mv "$input/$native" "$input/libsqlitejdbc.so"
  rm -rf "$input/org"
  zip -q -d "$sqlite_jar" 'org/sqlite/native/*'
  sqlite_options='-Dorg.sqlite.lib.path=$APPDIR -Dorg.sqlite.lib.name=libsqlitejdbc.so'
fi
# Code that cannot run in this image, left out of the jars (0.4 MB of the .deb, which was 0.5 MB
# over its 50 MB budget): Micrometer's binders for libraries the image does not have (HTTP clients,
# gRPC, Kafka, Jersey, caches, ...; its JVM, system, logging, database and Jetty binders stay) and its
# AspectJ and Kotlin support,
# JavaFX's Caspian theme (the console styles Modena; Caspian is loaded only on request) and its
# Java 2D pipeline (needs java.desktop, which the runtime leaves out; Linux renders with es2 or sw),
# ControlsFX's SpreadsheetView and TableView2 (self-contained; the console uses CheckComboBox,
# Notifications, StatusBar and CustomTextField; the jars run on the class path, so its module-info's
# exports of them are never read).
trim_jar() { # JAR PATTERN...: entries removed; an absent entry is an error (a new version moved it)
  jar=$(ls "$input"/$1); shift
  for pattern in "$@"; do zip -q -d "$jar" "$pattern" > /dev/null || { echo "$jar has no $pattern" >&2; exit 3; }; done
}
binders=io/micrometer/core/instrument/binder
if [ "$(uname -s)" = Linux ]; then
  trim_jar 'micrometer-core-*.jar' "$binders/httpcomponents/*" "$binders/grpc/*" "$binders/okhttp3/*" \
    "$binders/jersey/*" "$binders/kafka/*" "$binders/hystrix/*" "$binders/mongodb/*" "$binders/jpa/*" \
    "$binders/tomcat/*" "$binders/netty4/*" "$binders/cache/*" 'io/micrometer/core/aop/*' \
    'io/micrometer/core/instrument/kotlin/*'
  trim_jar 'javafx-controls-*-linux.jar' 'com/sun/javafx/scene/control/skin/caspian/*'
  trim_jar 'javafx-graphics-*-linux.jar' 'com/sun/prism/j2d/*'
  trim_jar 'controlsfx-*.jar' 'org/controlsfx/control/spreadsheet/*' 'impl/org/controlsfx/spreadsheet/*' \
    'org/controlsfx/control/tableview2/*' 'impl/org/controlsfx/tableview2/*'
fi

# --- the runtime: only the modules Tether uses, without debug information or symbol tables
# (--strip-debug would strip the native debug symbols with objcopy from the default place)
strip_debug="--strip-debug"
if command -v objcopy > /dev/null 2>&1; then
  strip_debug="--strip-java-debug-attributes --strip-native-debug-symbols=objcopy=$(command -v objcopy)"
fi
# Files of the modules that nothing here runs: the JDK's tools (keytool, jrunscript), the class list
# of the JDK's default CDS archive (the start-up cache is trained on Tether), and jrt-fs.jar (for
# other JDKs' tools reading this runtime's classes).
runtime_unused='glob:/java.base/bin/keytool,glob:/java.scripting/bin/jrunscript,glob:/java.base/lib/classlist,glob:/java.base/lib/jrt-fs.jar'
# shellcheck disable=SC2086 # two options in one word on purpose
"$jdk/bin/jlink" --add-modules "$modules" $strip_debug --no-header-files --no-man-pages \
  --compress zip-6 --exclude-files "$runtime_unused" --output target/jlink-runtime
strip_elf_below target/jlink-runtime

# --- the app image
grep -v '^--input ' jpackage.cfg > target/jpackage-app.cfg
"$jdk/bin/jpackage" @target/jpackage-app.cfg --input "$input" --type app-image

# Both launchers become shell scripts with jpackage's class path, main class and options (from its
# lib/app/NAME.cfg). jpackage's native launcher, once installed from a package, asks the package
# manager where its own files are at every start (rpm -qf, dpkg -S, dpkg -L: 50-150 ms here, more
# on a desktop with thousands of packages); a script knows.
make_launcher() {
  name=$1
  cfg="$app/lib/app/$name.cfg"
  main=$(sed -n 's/^app\.mainclass=//p' "$cfg")
  classpath=$(sed -n 's/^app\.classpath=//p' "$cfg" | sed 's/\$APPDIR/$app/' | tr '\n' ':' | sed 's/:$//')
  options=$( { sed -n 's/^java-options=//p' "$cfg"; for o in $sqlite_options; do echo "$o"; done; } \
    | sed 's/\$APPDIR/$app/g; s/.*/"&"/' | tr '\n' ' ')
  cat > "$app/bin/$name" <<EOF
#!/bin/sh
# Tether's $name launcher, written by the installer build from jpackage's lib/app/$name.cfg.
self=\$(readlink -f -- "\$0")
root=\${self%/bin/*}
app="\$root/lib/app"
# The start-up cache the build trained (JDK 25 AOT cache). A JVM that cannot use it starts without
# it; its messages are off so that stdout stays clean for --json.
aot=""
[ -f "\$app/tether.aot" ] && aot="-XX:AOTCache=\$app/tether.aot"
# The console's toolkit (JavaFX on GTK) adds these two to the environment from its own threads as it
# starts: defined before the JVM starts, its edits replace them in place instead of moving the
# environment's array under a thread reading it (a SIGSEGV in getenv).
case "\${1-console}" in
  console) export GDK_BACKEND="\${GDK_BACKEND-x11}" IBUS_ENABLE_SYNC_MODE="\${IBUS_ENABLE_SYNC_MODE-1}" ;;
esac
exec "\$root/lib/runtime/bin/java" "-Djpackage.app-path=\$root/bin/$name" $options\\
  \$aot -Xlog:aot=off -Xlog:cds=off -cp "$classpath" $main "\$@"
EOF
  chmod 755 "$app/bin/$name"
}
make_launcher Tether
make_launcher tether-cli
rm -f "$app/lib/libapplauncher.so" # jpackage's launchers' library: no native launcher is left to load it
strip_elf_below "$app"
find "$app" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# --- the start-up cache (JDK 25 AOT cache), one for both launchers: one training run of the console
# as the menu opens it (no arguments) up to its first painted frame, then a normal exit. tether-cli
# maps it too: it shares the JDK's and most of the libraries' classes; its own commands' few and its
# client paths (HTTP, JSON) load from the jars, and picocli's would anyway (Java 5 classes are never
# in a cache). Opening it as `Tether console`, through the command line, put those commands in the
# cache too: 4 MB more for no gain the CPU time of `tether-cli --version` showed. A cache
# trained on those as well (one JVM, train-startup then the console) held 9 MB more and took the .deb
# past 50 MB; one per launcher would not fit the image's 120 MB (BENCHMARKS.md, Installers).
# Without a display the cache is trained on the command-line paths instead (train-startup).
training_home=$(mktemp -d)
if [ -n "${DISPLAY:-}" ] || command -v xvfb-run > /dev/null 2>&1; then
  display=""
  [ -n "${DISPLAY:-}" ] || display="xvfb-run -a"
  # shellcheck disable=SC2086 # no display command is no word
  (export TETHER_HOME="$training_home" TETHER_LOG_LEVEL=WARN TETHER_FIRST_PAINT_EXIT=true \
     JAVA_TOOL_OPTIONS="-XX:AOTCacheOutput=$PWD/$app/lib/app/tether.aot"
   $display timeout 180 "$app/bin/Tether" > target/installer-training.log 2>&1) || true
else
  echo "the start-up cache covers the command line only: no display to open the console on (install xvfb)" >&2
  (export TETHER_HOME="$training_home" TETHER_LOG_LEVEL=WARN JAVA_TOOL_OPTIONS="-XX:AOTCacheOutput=$PWD/$app/lib/app/tether.aot"
   timeout 180 "$app/bin/tether-cli" train-startup > target/installer-training.log 2>&1) || true
fi
rm -rf "$training_home"
if [ -f "$app/lib/app/tether.aot" ]; then
  echo "start-up cache: $app/lib/app/tether.aot ($(du -sm "$app/lib/app/tether.aot" | cut -f1) MB)"
else
  echo "no start-up cache (see target/installer-training.log); its last lines:" >&2
  tail -n 15 target/installer-training.log | sed 's/^/  /' >&2
fi
echo "app image: $app ($(du -sm "$app" | cut -f1) MB)"

[ "$(uname -s)" = Linux ] && [ "$want_packages" = deb ] || exit 0

# --- the packages: each wraps the finished app image; identity from jpackage.cfg
grep -E '^--(name|app-version|vendor|copyright|description|icon) ' jpackage.cfg > target/jpackage-identity.cfg
package() { # TYPE: jpackage's package of the app image
  "$jdk/bin/jpackage" --type "$1" --app-image "$app" @target/jpackage-identity.cfg @jpackage-linux.cfg "@jpackage-$1.cfg" \
    --resource-dir $here/jpackage --dest target/installer
}

if command -v dpkg-deb > /dev/null 2>&1 && command -v fakeroot > /dev/null 2>&1; then
  package deb
  deb=$(ls target/installer/*.deb)
  # What Debian wants and jpackage's /opt layout leaves out: the copyright file and the changelog in
  # /usr/share/doc/tether, the lintian overrides for that layout, and the md5sums of the files; and
  # maintainer scripts that do not fail where the machine has no desktop menu.
  work=target/deb-root
  rm -rf "$work"
  fakeroot sh -eu -c '
    deb=$1; work=$2; here=$3
    dpkg-deb -R "$deb" "$work"
    doc="$work/usr/share/doc/tether"
    mkdir -p "$doc" "$work/usr/share/lintian/overrides"
    mv "$work/opt/tether/share/doc/copyright" "$doc/copyright"
    rmdir "$work/opt/tether/share/doc" "$work/opt/tether/share"
    gzip -9n < "$here/debian/changelog" > "$doc/changelog.gz"
    cp "$here/debian/lintian-overrides" "$work/usr/share/lintian/overrides/tether"
    sh "$here/debian/menu-optional.sh" "$work/DEBIAN" # installs, and is removed, where no desktop menu is
    chmod 644 "$doc/copyright" "$doc/changelog.gz" "$work/usr/share/lintian/overrides/tether"
    (cd "$work" && find . -type f ! -path "./DEBIAN/*" | sed "s|^\./||" | LC_ALL=C sort | xargs md5sum) > "$work/DEBIAN/md5sums"
    chmod 644 "$work/DEBIAN/md5sums"
    size=$(du -sk --exclude=DEBIAN "$work" | cut -f1)
    sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$work/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz -z9 -Sextreme -b "$work" "$deb" > /dev/null
  ' sh "$deb" "$work" "$here"
  rm -rf "$work"
  echo "deb: $deb ($(du -sm "$deb" | cut -f1) MB)"
else
  echo "no .deb: dpkg-deb and fakeroot are needed (apt-get install fakeroot)" >&2
  exit 3
fi

if command -v rpmbuild > /dev/null 2>&1; then
  # rpmbuild clamps the files' times to SOURCE_DATE_EPOCH only when its macros say so; jpackage runs
  # it with the user's macros, so a private HOME holds them.
  rpm_home=$(mktemp -d)
  printf '%%clamp_mtime_to_source_date_epoch 1\n%%use_source_date_epoch_as_buildtime 1\n%%_buildhost tether-build\n' > "$rpm_home/.rpmmacros"
  (export HOME="$rpm_home"; package rpm)
  rm -rf "$rpm_home"
  rpm=$(ls target/installer/*.rpm)
  echo "rpm: $rpm ($(du -sm "$rpm" | cut -f1) MB)"
else
  echo "no .rpm: rpmbuild is not installed (Debian/Ubuntu: apt-get install rpm)" >&2
fi
