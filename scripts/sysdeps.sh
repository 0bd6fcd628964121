#!/usr/bin/env bash
# Install (as root) or name (otherwise) the Debian/Ubuntu packages observer-app needs.
#   scripts/sysdeps.sh run   libvlc and its plugins, Qt's X11/Wayland libraries
#   scripts/sysdeps.sh test  the above plus ffmpeg (test media), xvfb/xdotool (UI checks) and
#                            R (r-base-core: the export's CSV files read in R; 26 MB, ~10 s),
#                            7-Zip (7zip: reads the encrypted export archives back)
set -euo pipefail
purpose="${1:-run}"
pkgs=(libvlc5 vlc-plugin-base libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
      libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
      libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 fonts-dejavu-core)
if [ "$purpose" = test ]; then
    pkgs+=(ffmpeg xvfb xauth xdotool espeak-ng r-base-core 7zip)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "observer-app: not a Debian/Ubuntu system; install libvlc (VLC 3) yourself: see README.md" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "observer-app: installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "observer-app: missing system packages. Run:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
