#!/usr/bin/env bash
# The default characterization run by `make run`.
set -euo pipefail
EDGEBENCH=${1:-build/src/cli/edgebench}
"$EDGEBENCH" models
