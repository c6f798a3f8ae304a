#!/usr/bin/env bash
# Runs the script steps of the CI snippets in ci/ (the GitHub action and the GitLab job
# template) as those systems would, against a running server, and checks what they leave:
# the job summary, and the report stored with the pipeline's commit and link.
#   scripts/ci-snippets.sh URL TOKEN PROJECT PHASE
# The binary is target/debug/readyboard unless READYBOARD_BIN says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 4 ] || { sed -n '2,6p' "$0" >&2; exit 64; }
url=$1 token=$2 project=$3 phase=$4
bin=${READYBOARD_BIN:-$PWD/target/debug/readyboard}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "ci-snippets: $*" >&2; exit 1; }

# A JUnit file with one failing case.
mkdir -p "$work/results"
cat >"$work/results/junit.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="ci" tests="3"><testcase classname="ci" name="builds"/><testcase classname="ci" name="boots"/>
<testcase classname="ci" name="migrates"><failure message="timeout"/></testcase></testsuite>
XML

# The report's run as the API tells it: "commit ci_url" of report ID.
run_of() {
  curl -fsS -H "Authorization: Bearer $token" "$url/api/v1/reports/$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["run"]; print(r["commit"], r["url"])'
}

# The report id a summary links to.
report_in() { grep -o '/reports/[0-9]*' "$1" | head -n1 | cut -d/ -f3; }

echo "==> GitHub action (ci/github/action.yml)" >&2
# Each `READYBOARD_X: ${{ inputs.y }}` of the step's env gets the value given for input y.
declare -A inputs=(
  [url]=$url [token]=$token [project]=$project [phase]=$phase [suite]=ci-github
  [files]="$work/results/*.xml" [fail-under]="" [require-verdict]="" [binary]=$bin
)
step_env=()
while IFS= read -r line; do
  name=${line%%:*}
  input=$(sed -E 's/.*inputs\.([a-z-]+).*/\1/' <<<"$line")
  step_env+=("$name=${inputs[$input]}")
done < <(grep -E '^\s+READYBOARD_[A-Z_]+: \$\{\{ inputs\.' ci/github/action.yml | sed -E 's/^\s+//')
run=$(grep -E '^\s+run: ' ci/github/action.yml | sed -E 's/^\s+run: //')
(
  cd "$work"
  env "${step_env[@]}" GITHUB_ACTION_PATH="$OLDPWD/ci/github" GITHUB_STEP_SUMMARY="$work/github-summary.md" \
    GITHUB_SHA=1111111111111111111111111111111111111111 GITHUB_REF_NAME=main GITHUB_RUN_ID=42 \
    GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=team/app bash -c "$run"
) || fail "the GitHub step failed"
summary=$work/github-summary.md
grep -q "^### readyboard · $project / $phase" "$summary" || fail "no summary heading in $(cat "$summary")"
grep -q "| ci-github | 3 | 1 |" "$summary" || fail "no report line in $(cat "$summary")"
id=$(report_in "$summary")
[ "$(run_of "$id")" = "1111111111111111111111111111111111111111 https://github.example/team/app/actions/runs/42" ] ||
  fail "report $id lacks the workflow's commit and link: $(run_of "$id")"

echo "==> GitLab job template (ci/gitlab/readyboard.gitlab-ci.yml)" >&2
# The job's `script:` lines, run in one POSIX shell as the runner does.
awk '/^  script:/{on=1; next} on && /^    - /{sub(/^    - /, ""); print; next} on{exit}' \
  ci/gitlab/readyboard.gitlab-ci.yml | sed -E "s/^'(.*)'$/\1/" >"$work/gitlab-job.sh"
[ -s "$work/gitlab-job.sh" ] || fail "no script lines found in the GitLab template"
(
  cd "$work"
  READYBOARD_URL=$url READYBOARD_TOKEN=$token READYBOARD_PROJECT=$project READYBOARD_PHASE=$phase \
    READYBOARD_SUITE=ci-gitlab READYBOARD_FILES="results/*.xml" READYBOARD_BIN=$bin \
    CI_COMMIT_SHA=2222222222222222222222222222222222222222 CI_COMMIT_REF_NAME=main CI_PIPELINE_ID=77 \
    CI_JOB_URL=https://gitlab.example/team/app/-/jobs/99 sh -e gitlab-job.sh
) || fail "the GitLab job script failed"
summary=$work/readyboard-summary.md
grep -q "| ci-gitlab | 3 | 1 |" "$summary" || fail "no report line in $(cat "$summary")"
id=$(report_in "$summary")
[ "$(run_of "$id")" = "2222222222222222222222222222222222222222 https://gitlab.example/team/app/-/jobs/99" ] ||
  fail "report $id lacks the pipeline's commit and link: $(run_of "$id")"
echo "CI snippets: both uploaded and wrote their summaries" >&2

echo "==> readyboard check (read locally, nothing sent)" >&2
out=$("$bin" check "$work/results/*.xml") || fail "check refused a good report: $out"
echo "$out" | grep -q "junit.xml: junit (measured), 3 checks: 2 passed, 1 failed, 0 errors, 0 skipped" ||
  fail "check said: $out"
echo '<testsuite><testcase' >"$work/broken.xml"
if err=$("$bin" check "$work/broken.xml" 2>&1); then fail "check accepted a broken file: $err"; fi
echo "$err" | grep -q "broken.xml: " || fail "check gave no reason: $err"
echo "CI snippets: readyboard check reads a report and refuses a broken one" >&2
