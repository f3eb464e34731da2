// What `npm run package` produced: manifest, target platform, bundled binary and file list.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { readZip, type ZipEntry } from "../support/zip";
import { extensionRoot, packagedVsix, required, repoRoot } from "../support/paths";

const vsix = packagedVsix();
const skip = vsix || required("vsix") ? false : "no .vsix: run `npm run package` first";

describe("the packaged .vsix", { skip }, () => {
  const entries = vsix ? readZip(vsix) : new Map<string, ZipEntry>();
  const source = JSON.parse(readFileSync(join(extensionRoot, "package.json"), "utf8"));
  const platform = `${process.platform}-${process.arch}`;

  test("exists", () => {
    assert.ok(vsix, "XSGUARD_REQUIRE=vsix and no .vsix found");
  });

  test("manifest: id, version, engine, entry point, language and commands", () => {
    const manifest = JSON.parse(entries.get("extension/package.json")!.read().toString("utf8"));
    assert.equal(manifest.name, "xsguard");
    assert.equal(manifest.publisher, "xsguard");
    assert.equal(manifest.version, source.version);
    assert.equal(manifest.engines.vscode, source.engines.vscode);
    assert.equal(manifest.main, "./dist/extension.js");
    assert.deepEqual(manifest.contributes, source.contributes);
    assert.ok(manifest.activationEvents.includes("onLanguage:xanoscript"));
  });

  test(`vsixmanifest: target platform ${platform}`, () => {
    const xml = entries.get("extension.vsixmanifest")!.read().toString("utf8");
    assert.match(xml, new RegExp(`<Identity [^>]*Id="xsguard"[^>]*Version="${source.version}"[^>]*Publisher="xsguard"[^>]*TargetPlatform="${platform}"`));
    assert.match(xml, /<Tags>[^<]*xanoscript/);
  });

  test("server/xsguard: an executable that runs and reports its version", () => {
    const entry = entries.get("extension/server/xsguard");
    assert.ok(entry, `entries: ${[...entries.keys()].join(", ")}`);
    assert.equal(entry.mode & 0o111, 0o111, `mode ${entry.mode.toString(8)}: VS Code keeps the zip's mode`);
    const data = entry.read();
    assert.ok(data.length > 1_000_000, `${data.length} bytes`);
    if (process.platform === "linux") assert.equal(data.subarray(0, 4).toString("latin1"), "\x7fELF");
    const copy = join(mkdtempSync(join(tmpdir(), "xsguard-vsix-")), "xsguard");
    writeFileSync(copy, data);
    chmodSync(copy, 0o755);
    const version = execFileSync(copy, ["--version"], { encoding: "utf8" });
    const cargo = readFileSync(join(repoRoot, "server", "Cargo.toml"), "utf8").match(/^version = "(.+)"$/m)![1];
    assert.equal(version.trim(), `xsguard ${cargo}`);
  });

  test("the extension is one bundled file: the language client is inside it", () => {
    const js = entries.get("extension/dist/extension.js")!.read().toString("utf8");
    assert.doesNotMatch(js, /require\(["']vscode-languageclient/);
    assert.match(js, /require\(["']vscode["']\)/);
    assert.ok(js.includes("xsguard.restartServer"));
  });

  test("ships grammar, configuration, readme and license; no sources, tests or node_modules", () => {
    for (const name of [
      "extension/syntaxes/xanoscript.tmLanguage.json",
      "extension/language-configuration.json",
      "extension/readme.md",
      "extension/LICENSE.txt",
    ]) {
      assert.ok(entries.has(name), `${name} missing; entries: ${[...entries.keys()].join(", ")}`);
    }
    const stray = [...entries.keys()].filter((n) => /^extension\/(src|test|out|scripts|node_modules)\//.test(n) || n.endsWith(".map") || n.endsWith(".ts"));
    assert.deepEqual(stray, []);
  });
});
