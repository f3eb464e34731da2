#!/usr/bin/env python3
"""Checks editors/neovim/mason/package.yaml, the mason-registry package definition of xsguard.

    python check.py [package.yaml]       (needs ruamel.yaml and jsonschema: pip install check-jsonschema)

1. Its form: the fields and types of mason-registry's package schema (schemas/package.schema.json
   with the `github/release` source, `bin` and the platform and category enums), restated below.
2. That it matches the release: `source.id` is pkg:github/xsguard/xsguard@v<version of
   server/Cargo.toml>; every asset is an archive that scripts/archive.sh makes for a target of
   .github/workflows/release.yml, named xsguard-<version>-<target>.tar.gz (.zip on Windows), and its
   `bin` is the binary inside (xsguard-<version>-<target>/xsguard[.exe]); every platform mason knows
   that a release target serves has an asset, glibc before musl.
Prints one line per check; exits 1 when one fails.
"""
import re
import sys
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

# mason-registry schemas/enums/platform.json and category.json.
PLATFORMS = [
    "darwin_arm64", "darwin_x64", "linux_arm", "linux_armv6l", "linux_armv7l", "linux_arm64",
    "linux_arm64_gnu", "linux_arm64_openbsd", "linux_arm_gnu", "linux_armv6_gnu", "linux_armv7_gnu",
    "linux_x64", "linux_x64_gnu", "linux_x64_openbsd", "linux_x86", "linux_x86_gnu", "win_arm",
    "win_armv6l", "win_armv7l", "win_arm64", "win_x64", "win_x86",
]
CATEGORIES = ["Compiler", "DAP", "Formatter", "LSP", "Linter", "Runtime"]

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "description", "homepage", "licenses", "languages", "source"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "homepage": {"type": "string", "pattern": "^https?://"},
        "licenses": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "languages": {"type": "array", "items": {"type": "string"}},
        "categories": {"type": "array", "items": {"enum": CATEGORIES}},
        "source": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "asset"],
            "properties": {
                "id": {"type": "string", "pattern": "^pkg:github/.+@.+"},
                "asset": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["target", "file"],
                        "properties": {
                            "target": {"enum": PLATFORMS},
                            "file": {"type": "string"},
                            "bin": {"type": "string"},
                        },
                    },
                },
            },
        },
        "bin": {
            "type": "object",
            "patternProperties": {r"^[a-zA-Z0-9_\-\.]+$": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}

# Release target (Rust triple) -> the mason platform it serves. glibc builds serve `_gnu`, the
# static musl builds every Linux of their architecture.
SERVES = {
    "aarch64-apple-darwin": "darwin_arm64",
    "x86_64-apple-darwin": "darwin_x64",
    "aarch64-unknown-linux-gnu": "linux_arm64_gnu",
    "aarch64-unknown-linux-musl": "linux_arm64",
    "x86_64-unknown-linux-gnu": "linux_x64_gnu",
    "x86_64-unknown-linux-musl": "linux_x64",
    "x86_64-pc-windows-msvc": "win_x64",
}

failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else f": {detail}"))
    if not ok:
        failed += 1


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "package.yaml"
    pkg = YAML(typ="safe").load(path.read_text())

    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(pkg), key=str)
    check("the form of mason-registry's package schema", not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors))
    if errors:
        return

    version = re.search(r'^version = "(.+)"$', (REPO / "server/Cargo.toml").read_text(), re.M).group(1)
    check("name xsguard, MIT, categories LSP and Linter", pkg["name"] == "xsguard" and pkg["licenses"] == ["MIT"]
          and set(pkg["categories"]) == {"LSP", "Linter"}, pkg)
    check(f"source.id is pkg:github/xsguard/xsguard@v{version}", pkg["source"]["id"] == f"pkg:github/xsguard/xsguard@v{version}",
          pkg["source"]["id"])
    check("bin: xsguard is the asset's binary", pkg.get("bin") == {"xsguard": "{{source.asset.bin}}"}, pkg.get("bin"))

    workflow = (REPO / ".github/workflows/release.yml").read_text()
    released = set(re.findall(r"\{ target: ([\w-]+),", workflow))
    check("release.yml's targets are known here", released and released <= set(SERVES),
          sorted(released - set(SERVES)))
    archive = (REPO / "scripts/archive.sh").read_text()
    check("scripts/archive.sh still names archives xsguard-VERSION-TARGET", "name=xsguard-$version-$target" in archive, "")

    tag = f"v{version}"
    expand = lambda s: s.replace('{{ version | strip_prefix "v" }}', tag[1:]).replace("{{version}}", tag)
    assets = pkg["source"]["asset"]
    seen = []
    for a in assets:
        file, binary, target = expand(a["file"]), expand(a.get("bin", "")), a["target"]
        m = re.fullmatch(rf"xsguard-{re.escape(version)}-([\w-]+)\.(tar\.gz|zip)", file)
        triple = m and m.group(1)
        ok = bool(m) and triple in released and SERVES.get(triple) == target
        ok = ok and m.group(2) == ("zip" if "windows" in triple else "tar.gz")
        exe = "xsguard.exe" if triple and "windows" in triple else "xsguard"
        ok = ok and binary == f"xsguard-{version}-{triple}/{exe}"
        check(f"asset {target}: {file} -> {binary}", ok, "not an archive of the release for this platform")
        seen.append(target)
    wanted = {SERVES[t] for t in released if t in SERVES}
    check("every released platform has an asset, once", sorted(seen) == sorted(wanted), f"{sorted(seen)} vs {sorted(wanted)}")
    for arch in ("x64", "arm64"):
        if f"linux_{arch}_gnu" in seen and f"linux_{arch}" in seen:
            check(f"linux_{arch}_gnu comes before linux_{arch} (mason takes the first that fits)",
                  seen.index(f"linux_{arch}_gnu") < seen.index(f"linux_{arch}"), seen)


main()
print(f"mason package.yaml: {'failed' if failed else 'ok'}")
sys.exit(1 if failed else 0)
