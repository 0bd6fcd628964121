#!/usr/bin/env bash
# Regenerate resources/demo/ (demo recordings + manifest.json): see scripts/make_demo_media.py.
#   scripts/make_demo_media.sh [OUTDIR]     (make demo-media runs this after the system check)
set -euo pipefail
exec python3 "$(dirname "$0")/make_demo_media.py" "$@"
