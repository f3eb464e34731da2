#!/usr/bin/env bash
# Runs the `xsguard check` step of action.yml (its shell script, taken from the YAML) as GitHub
# would, with xsguard on PATH: findings give a SARIF report and exit-code=1 (the upload step then
# runs, and the last step fails the job); an I/O or usage error (exit 2) fails the step itself,
# so no empty SARIF is uploaded; fail-on and baseline are passed on.
#
#   scripts/test-action.sh PYTHON [BINARY]   (PYTHON with PyYAML; BINARY default: target/debug/xsguard)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${1:?usage: scripts/test-action.sh PYTHON [BINARY]}
binary=${2:-$repo/target/debug/xsguard}
[[ -e $binary ]] && binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; sed 's/^/       | /' "$work/log" >&2 2>/dev/null; exit 1; }

"$python" - "$repo/action.yml" "$work/check.sh" <<'EOF'
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
steps = {s.get("id"): s for s in action["runs"]["steps"]}
step = steps["check"]
assert step["shell"] == "bash", step["shell"]
open(sys.argv[2], "w").write(step["run"])
# The upload runs only with sarif on, and the step that fails the job only on findings.
names = [s.get("uses", s.get("name")) for s in action["runs"]["steps"]]
upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
assert upload["if"] == "inputs.sarif == 'true'", upload["if"]
assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
last = action["runs"]["steps"][-1]
assert last["if"] == "steps.check.outputs.exit-code == '1'", last["if"]
EOF
mkdir "$work/bin" && ln -s "$binary" "$work/bin/xsguard"

run() { # run PATHS FAIL_ON [SARIF] [BASELINE] [ARGS]: the step's exit status; outputs in $work/out
  : > "$work/out"
  (cd "$repo" && PATH="$work/bin:$PATH" GITHUB_OUTPUT=$work/out INPUT_PATHS=$1 INPUT_FAIL_ON=$2 \
    INPUT_SARIF=${3:-true} INPUT_SARIF_FILE=$work/report.sarif INPUT_BASELINE=${4:-} INPUT_ARGS=${5:-} \
    bash -e "$work/check.sh") > "$work/log" 2>&1
}
out() { sed -n "s/^$1=//p" "$work/out"; }

echo "action.yml's check step"
run "examples/shop" "" || fail "findings: the step exits $?"
[[ $(out exit-code) == 1 ]] || fail "findings: exit-code=$(out exit-code)"
"$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"][0]["results"]' "$work/report.sarif" ||
  fail "the SARIF report has no results"
ok "findings: the step passes with exit-code=1 and a SARIF report with results (upload, then fail)"

rc=0; run "examples/does-not-exist" "" || rc=$?
[[ $rc == 2 && -z $(out exit-code) ]] || fail "a missing path: exit $rc, exit-code=$(out exit-code)"
grep -q "::error::xsguard check failed with exit status 2" "$work/log" || fail "a missing path: no error annotation"
ok "exit 2 (a path that does not exist): the step fails, so nothing is uploaded"

rc=0; run "examples/shop" "" true "$work/no-such-baseline.json" || rc=$?
[[ $rc == 2 ]] || fail "a missing baseline: exit $rc"
ok "a missing baseline file: the step fails (exit 2)"

(cd "$repo" && "$binary" check examples/shop --write-baseline "$work/baseline.json" >/dev/null 2>&1) || true
run "examples/shop" "" true "$work/baseline.json" || fail "baseline: the step exits $?"
[[ $(out exit-code) == 0 ]] || fail "baseline: exit-code=$(out exit-code)"
ok "baseline: all findings accepted, exit-code=0"

run "examples/shop" never || fail "fail-on never: exit $?"
[[ $(out exit-code) == 0 ]] || fail "fail-on never: exit-code=$(out exit-code)"
ok "fail-on never: the findings are reported, exit-code=0"

rc=0; run "examples/shop" sometimes || rc=$?
[[ $rc == 2 ]] && grep -q "fail-on must be" "$work/log" || fail "bad fail-on: exit $rc"
ok "a bad fail-on value: exit 2 with a message"

run "examples/shop/apis/auth examples/shop/tables" error false "" "--select XS1" || fail "annotations: exit $?"
grep -q "^::" "$work/log" || fail "sarif=false prints annotations"
ok "sarif=false, two paths, fail-on error, args: annotations printed, exit-code=$(out exit-code)"

echo "action: $passed passed, 0 failed"
