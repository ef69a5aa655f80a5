#!/bin/sh
# Put Kuaidan in this user's application menu: the entry points at the folder this script is in (move the folder
# first, then run it). Remove with: rm ~/.local/share/applications/kuaidan.desktop
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$apps"
sed -e "s|^Exec=.*|Exec=\"$here/kuaidan\"|" -e "s|^TryExec=.*|TryExec=$here/kuaidan|" \
    -e "s|^Icon=.*|Icon=$here/kuaidan.png|" "$here/kuaidan.desktop" >"$apps/kuaidan.desktop"
chmod 644 "$apps/kuaidan.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$apps" || true; fi
echo "$apps/kuaidan.desktop"
