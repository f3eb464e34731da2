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

  // What the VS Code Marketplace and Open VSX read (and `vsce publish` / `ovsx publish` check).
  describe("marketplace and Open VSX", () => {
    const manifest = vsix ? JSON.parse(entries.get("extension/package.json")!.read().toString("utf8")) : {};
    const xml = vsix ? entries.get("extension.vsixmanifest")!.read().toString("utf8") : "";
    const asset = (type: string) => xml.match(new RegExp(`<Asset Type="${type.replace(/\./g, "\\.")}" Path="([^"]+)"`))?.[1];
    const property = (id: string) => xml.match(new RegExp(`<Property Id="${id.replace(/\./g, "\\.")}" Value="([^"]*)"`))?.[1];

    test("publisher, display name, description, license, repository, categories, banner", () => {
      assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/);
      assert.ok(manifest.displayName && manifest.description, "displayName and description");
      assert.equal(manifest.license, "MIT");
      assert.match(manifest.repository.url, /^https:\/\/github\.com\/[^/]+\/[^/]+$/);
      assert.equal(property("Microsoft.VisualStudio.Services.Links.Source"), `${manifest.repository.url}.git`);
      assert.match(manifest.bugs.url, /^https:\/\//);
      assert.match(manifest.homepage, /^https:\/\//);
      // The Marketplace's category list; anything else is dropped or refused.
      const known = ["Azure", "Data Science", "Debuggers", "Education", "Extension Packs", "Formatters", "Keymaps",
        "Language Packs", "Linters", "Machine Learning", "Notebooks", "Programming Languages", "SCM Providers",
        "Snippets", "Testing", "Themes", "Visualization", "AI", "Chat", "Other"];
      assert.ok(manifest.categories.length > 0);
      for (const c of manifest.categories) assert.ok(known.includes(c), `unknown category ${c}`);
      assert.equal(xml.match(/<Categories>([^<]*)<\/Categories>/)?.[1], manifest.categories.join(","));
      assert.match(manifest.galleryBanner.color, /^#[0-9A-Fa-f]{6}$/);
      assert.ok(["dark", "light"].includes(manifest.galleryBanner.theme));
      assert.equal(property("Microsoft.VisualStudio.Services.Branding.Color"), manifest.galleryBanner.color);
    });

    test("icon: a PNG of 128x128 or 256x256 inside the package, named in the vsixmanifest", () => {
      assert.equal(manifest.icon, "images/icon.png");
      assert.equal(xml.match(/<Icon>([^<]+)<\/Icon>/)?.[1], "extension/images/icon.png");
      assert.equal(asset("Microsoft.VisualStudio.Services.Icons.Default"), "extension/images/icon.png");
      const png = entries.get("extension/images/icon.png")?.read();
      assert.ok(png, "extension/images/icon.png is not in the .vsix");
      assert.equal(png.subarray(0, 8).toString("latin1"), "\x89PNG\r\n\x1a\n", "PNG signature");
      assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      assert.equal(width, height, "square");
      assert.ok(width === 128 || width === 256, `${width}x${height}`);
    });

    test("README, CHANGELOG and LICENSE are the package's details, changelog and license", () => {
      assert.equal(asset("Microsoft.VisualStudio.Services.Content.Details"), "extension/readme.md");
      assert.equal(asset("Microsoft.VisualStudio.Services.Content.Changelog"), "extension/changelog.md");
      assert.equal(asset("Microsoft.VisualStudio.Services.Content.License"), "extension/LICENSE.txt");
      const changelog = entries.get("extension/changelog.md")!.read().toString("utf8");
      assert.match(changelog, new RegExp(`^## ${source.version.replace(/\./g, "\\.")}$`, "m"), "CHANGELOG has the version");
    });

    test("README: images and links are absolute https (the Marketplace and Open VSX show it away from the repository)", () => {
      const readme = entries.get("extension/readme.md")!.read().toString("utf8");
      const links = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]);
      assert.ok(links.some((l) => l.endsWith("/docs/editors-vscode.png")), "the screenshot");
      for (const l of links) assert.match(l, /^https:\/\//, `README link ${l}`);
      assert.doesNotMatch(readme, /<img /, "no <img> tags");
    });

    test("Cursor, Windsurf and VSCodium: an engine they have, no proposed API", () => {
      // Open VSX editors track VS Code with a delay; 1.91 is July 2024.
      const [major, minor] = manifest.engines.vscode.replace(/^\^/, "").split(".").map(Number);
      assert.ok(major === 1 && minor <= 91, `engines.vscode ${manifest.engines.vscode} is newer than 1.91`);
      assert.equal(manifest.enabledApiProposals, undefined);
      assert.equal(property("Microsoft.VisualStudio.Code.EnabledApiProposals"), "");
      assert.equal(property("Microsoft.VisualStudio.Code.Engine"), manifest.engines.vscode);
    });
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
      "extension/changelog.md",
      "extension/LICENSE.txt",
      "extension/images/icon.png",
    ]) {
      assert.ok(entries.has(name), `${name} missing; entries: ${[...entries.keys()].join(", ")}`);
    }
    const stray = [...entries.keys()].filter((n) => /^extension\/(src|test|out|scripts|node_modules)\//.test(n) || n.endsWith(".map") || n.endsWith(".ts"));
    assert.deepEqual(stray, []);
  });
});
