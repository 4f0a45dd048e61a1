#!/usr/bin/env bash
# The default characterization run by `make run`: every zoo model on every
# built backend (LibTorch in both of its modes), with short limits so that
# it finishes in minutes on a small machine; then the report.
#   scripts/characterize.sh [EDGEBENCH] [DB] [REPORT_DIR]
set -euo pipefail
EDGEBENCH=${1:-build/src/cli/edgebench}
DB=${2:-results/edgebench.db}
OUT=${3:-results/report}
# 0: every backend uses all the cores it can (Debian's libdarknet, built
# without OpenMP, takes one; asking it for more is refused as unsupported).
THREADS=${THREADS:-0}
QUICK=(--threads "$THREADS" --warmup-runs 1 --warmup-secs 0 --runs 5 --min-secs 0.5 --max-secs 3 --target-ci 5 --timeout 180 --db "$DB")

"$EDGEBENCH" models
# One sweep; each backend variant (id:mode) is a run and a report column of its own.
"$EDGEBENCH" sweep --models all --backends native,libtorch:eager,libtorch:script,opencv,darknet "${QUICK[@]}"
"$EDGEBENCH" report --db "$DB" -o "$OUT"
echo
echo "results database: $DB"
echo "report: $(cd "$OUT" && pwd)/index.html"
