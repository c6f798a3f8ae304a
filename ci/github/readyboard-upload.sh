#!/usr/bin/env bash
# The step of the readyboard GitHub action: uploads READYBOARD_FILES with the run's commit,
# branch and link, and appends the summary to $GITHUB_STEP_SUMMARY.
set -euo pipefail
: "${READYBOARD_URL:?set the url input}" "${READYBOARD_TOKEN:?set the token input}"
: "${READYBOARD_PROJECT:?set the project input}" "${READYBOARD_PHASE:?set the phase input}"
: "${READYBOARD_FILES:?set the files input}"
# Empty inputs mean "not set" (the command reads these from the environment).
for name in READYBOARD_SUITE READYBOARD_FAIL_UNDER READYBOARD_REQUIRE_VERDICT; do
  [ -n "${!name:-}" ] || unset "$name"
done
export READYBOARD_COMMIT="${GITHUB_SHA:-}" READYBOARD_BRANCH="${GITHUB_REF_NAME:-}" READYBOARD_RUN_ID="${GITHUB_RUN_ID:-}"
if [ -n "${GITHUB_RUN_ID:-}" ]; then
  export READYBOARD_CI_URL="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID}"
fi
read -r -a files <<<"$READYBOARD_FILES"
exec "${READYBOARD_BIN:-readyboard}" upload --summary "${GITHUB_STEP_SUMMARY:-readyboard-summary.md}" "${files[@]}"
