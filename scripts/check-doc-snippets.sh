#!/usr/bin/env bash
# Validates the YAML examples of docs/ci.md: the GitHub workflow against GitHub's schema, the
# GitLab job against GitLab's (check-jsonschema's built-in vendor schemas), the pre-commit config
# as YAML naming this repository's hook ids.
#
#   scripts/check-doc-snippets.sh VENV   (a venv with check-jsonschema and pre-commit)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:?usage: scripts/check-doc-snippets.sh VENV}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" - "$repo/docs/ci.md" "$repo/.pre-commit-hooks.yaml" "$work" <<'PY'
import re, sys, yaml
text = open(sys.argv[1]).read()
hook_ids = {h["id"] for h in yaml.safe_load(open(sys.argv[2]))}
blocks = re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)
kinds = {}
for block in blocks:
    doc = yaml.safe_load(block)
    if isinstance(doc, dict) and "jobs" in doc:
        kinds["github"] = block
    elif isinstance(doc, dict) and "repos" in doc:
        ids = {h["id"] for r in doc["repos"] for h in r["hooks"]}
        assert ids <= hook_ids, f"docs/ci.md names hooks {ids - hook_ids} that .pre-commit-hooks.yaml lacks"
        kinds["pre-commit"] = block
    elif isinstance(doc, dict) and any(isinstance(v, dict) and "script" in v for v in doc.values()):
        kinds["gitlab"] = block
for kind in ("github", "pre-commit", "gitlab"):
    assert kind in kinds, f"docs/ci.md has no {kind} example"
    open(f"{sys.argv[3]}/{kind}.yml", "w").write(kinds[kind])
PY
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$work/github.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci "$work/gitlab.yml"
echo "docs/ci.md: the GitHub, GitLab and pre-commit examples are valid"
