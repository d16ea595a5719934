#!/bin/sh
# Makes the .deb's menu entries optional. jpackage's postinst and prerm call xdg-desktop-menu under
# `set -e`, and it fails (exit 3, "No writable system menu directory found") on a machine without a
# desktop menu: a server, a container, WSL. That failed the installation (the package was left
# half-configured) and then its removal. Without a menu the launchers still run from /opt/tether/bin.
# Usage: menu-optional.sh DEBIAN-DIR   (the package's control directory, unpacked by dpkg-deb -R)
set -eu
fallback='|| echo "tether: xdg-desktop-menu failed (no desktop menu on this machine?); going on without the menu entry" >\&2'
for script in "$1/postinst" "$1/prerm"; do
  calls=$(grep -c 'xdg-desktop-menu \(install\|uninstall\) ' "$script" || true)
  [ "$calls" -gt 0 ] || { echo "menu-optional: no xdg-desktop-menu call in $script (did jpackage's script change?)" >&2; exit 1; }
  sed -i "s#^\(.*xdg-desktop-menu \(install\|uninstall\) .*\.desktop\)\$#\1 $fallback#" "$script"
  made=$(grep -c 'xdg-desktop-menu failed' "$script" || true)
  [ "$made" = "$calls" ] || { echo "menu-optional: $made of $calls xdg-desktop-menu calls in $script made optional" >&2; exit 1; }
done
