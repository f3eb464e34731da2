#!/usr/bin/env python3
"""Checks that the release pieces agree with each other (what CI here can check without the
other platforms): the release workflow builds every target that the npm packages, install.sh
and the VS Code extensions need, the npm step gives each npm platform its own target's binary,
and the extensions' targets are ones `vsce package --target` accepts.

    PYTHON scripts/check-release.py      (a python with PyYAML; node on PATH)
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

repo = Path(__file__).resolve().parent.parent
errors = []

workflow = yaml.safe_load((repo / ".github/workflows/release.yml").read_text())
jobs = workflow["jobs"]
built = {entry["target"] for entry in jobs["build"]["strategy"]["matrix"]["include"]}

platforms = json.loads(
    subprocess.check_output(
        ["node", "-e", 'import("./scripts/npm-packages.mjs").then(m => console.log(JSON.stringify(m.PLATFORMS)))'],
        cwd=repo,
        text=True,
    )
)
for name, p in platforms.items():
    if p["target"] not in built:
        errors.append(f"npm platform {name} needs {p['target']}, which release.yml does not build")

launcher = (repo / "npm/xsguard/bin/xsguard.js").read_text()
optional = json.loads((repo / "npm/xsguard/package.json").read_text())["optionalDependencies"]
for name in platforms:
    if f'"@xsguard/cli-{name}"' not in launcher:
        errors.append(f"the launcher does not know @xsguard/cli-{name}")
    if f"@xsguard/cli-{name}" not in optional:
        errors.append(f"npm/xsguard/package.json does not depend on @xsguard/cli-{name}")

steps = {s.get("name"): s for s in jobs["package"]["steps"]}
npm_step = steps["npm packages (npm pack)"]["run"]
given = dict(re.findall(r"--binary (\S+)=\$\{b\}(\S+)/bin/", npm_step))
for name, p in platforms.items():
    if given.get(name) != p["target"]:
        errors.append(f"the npm step gives {name} the binary of {given.get(name)}, not {p['target']}")

# vsce's --target values (vsce package --help).
vsce_targets = {"win32-x64", "win32-arm64", "linux-x64", "linux-arm64", "linux-armhf", "darwin-x64",
                "darwin-arm64", "alpine-x64", "alpine-arm64", "web"}
vsix_step = steps["One VS Code extension per platform (vsce package --target)"]["run"]
rows = re.findall(r"^(\S+) (\S+-\S+) (xsguard(?:\.exe)?)$", vsix_step, re.M)
if len(rows) < 7:
    errors.append(f"the VS Code step packs {len(rows)} extensions, expected 7")
for vscode, rust, exe in rows:
    if vscode not in vsce_targets:
        errors.append(f"{vscode} is not a vsce target")
    if rust not in built:
        errors.append(f"the {vscode} extension wants {rust}, which is not built")
    if (exe == "xsguard.exe") != vscode.startswith("win32"):
        errors.append(f"the {vscode} extension bundles {exe}")

# install.sh can choose {x86_64,aarch64}-unknown-linux-{gnu,musl} and {x86_64,aarch64}-apple-darwin.
for cpu in ("x86_64", "aarch64"):
    for suffix in ("unknown-linux-gnu", "unknown-linux-musl", "apple-darwin"):
        if f"{cpu}-{suffix}" not in built:
            errors.append(f"install.sh may choose {cpu}-{suffix}, which release.yml does not build")
if "x86_64-pc-windows-msvc" not in built:
    errors.append("install.ps1 wants x86_64-pc-windows-msvc")

for job, secret in (("crates-io", "CARGO_REGISTRY_TOKEN"), ("npm", "NPM_TOKEN"), ("vscode", "VSCE_PAT"), ("vscode", "OVSX_PAT")):
    env = jobs[job].get("env", {})
    if not any(v == f"${{{{ secrets.{secret} }}}}" for v in env.values()):
        errors.append(f"job {job} does not take secrets.{secret}")
    guarded = [s for s in jobs[job]["steps"] if secret in str(s.get("run", "")) or "publish" in str(s.get("run", ""))]
    for s in guarded:
        if "publish" in str(s.get("run", "")) and "!= ''" not in str(s.get("if", "")):
            errors.append(f"job {job}: a publish step runs without checking that its token is set")

crate_version = re.search(r'^version = "(.*)"$', (repo / "server/Cargo.toml").read_text(), re.M).group(1)
for manifest in ("npm/xsguard/package.json", "editors/vscode/package.json"):
    version = json.loads((repo / manifest).read_text())["version"]
    if version != crate_version:
        errors.append(f"{manifest} is version {version}, server/Cargo.toml {crate_version}: a release tags one version")
if "node -p" not in jobs["version"]["steps"][1]["run"]:
    errors.append("the version job does not check the manifests' versions against the tag")

for e in errors:
    print(f"check-release: {e}", file=sys.stderr)
if errors:
    sys.exit(1)
print(f"release.yml: {len(built)} targets; npm {len(platforms)} platforms, {len(rows)} VS Code extensions, "
      "install scripts and token guards agree")
