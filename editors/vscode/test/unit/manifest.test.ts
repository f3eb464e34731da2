// package.json, the language configuration and the files they point to agree with each other.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

import { COMMANDS } from "../../src/commands";
import { SEVERITY_LEVELS } from "../../src/settings";
import { extensionRoot } from "../support/paths";

const pkg = JSON.parse(readFileSync(join(extensionRoot, "package.json"), "utf8"));
const contributes = pkg.contributes;

describe("extension manifest", () => {
  test("language id xanoscript for .xs, with grammar and configuration", () => {
    const lang = contributes.languages.find((l: any) => l.id === "xanoscript");
    assert.ok(lang);
    assert.deepEqual(lang.extensions, [".xs"]);
    const grammar = contributes.grammars.find((g: any) => g.language === "xanoscript");
    assert.equal(grammar.scopeName, "source.xanoscript");
    const tm = JSON.parse(readFileSync(join(extensionRoot, grammar.path), "utf8"));
    assert.equal(tm.scopeName, grammar.scopeName);
    const conf = JSON.parse(readFileSync(join(extensionRoot, lang.configuration), "utf8"));
    assert.equal(conf.comments.lineComment, "//");
    assert.deepEqual(conf.brackets, [["{", "}"], ["[", "]"], ["(", ")"]]);
    for (const open of ["{", "[", "(", '"', "'"]) {
      assert.ok(conf.autoClosingPairs.some((p: any) => p.open === open), `auto-close ${open}`);
    }
    assert.ok(new RegExp(conf.folding.markers.start).test("  stack {"));
    assert.ok(new RegExp(conf.folding.markers.end).test("  }"));
  });

  test("activates on the language (an empty activationEvents never activates in code-server)", () => {
    assert.ok(pkg.activationEvents.includes("onLanguage:xanoscript"));
    assert.equal(pkg.main, "./dist/extension.js");
  });

  test("every command has a title and a handler id in src/commands.ts", () => {
    const declared = contributes.commands.map((c: any) => c.command).sort();
    assert.deepEqual(declared, Object.values(COMMANDS).sort());
    for (const c of contributes.commands) {
      assert.equal(c.category, "xsguard");
      assert.ok(c.title.length > 3);
    }
  });

  test("settings: xsguard.path, xsguard.severity, xsguard.trace.server", () => {
    const props = contributes.configuration.properties;
    assert.equal(props["xsguard.path"].type, "string");
    assert.deepEqual(props["xsguard.severity"].additionalProperties.enum, [...SEVERITY_LEVELS]);
    assert.deepEqual(props["xsguard.trace.server"].enum, ["off", "messages", "verbose"]);
  });

  test("@types/vscode is not newer than engines.vscode (vsce refuses to package otherwise)", () => {
    const engine = pkg.engines.vscode.replace(/^\^/, "").split(".").map(Number);
    const types = pkg.devDependencies["@types/vscode"].replace(/^[~^]/, "").split(".").map(Number);
    assert.ok(types[0] < engine[0] || (types[0] === engine[0] && types[1] <= engine[1]), `${types} > ${engine}`);
    const installed = JSON.parse(readFileSync(join(extensionRoot, "node_modules/vscode-languageclient/package.json"), "utf8"));
    assert.equal(installed.engines.vscode, pkg.engines.vscode);
  });

  test(".vscodeignore ships the bundle and the binary, not the sources", () => {
    const ignore = readFileSync(join(extensionRoot, ".vscodeignore"), "utf8");
    for (const keep of ["!dist/extension.js", "!server/**", "!syntaxes/**", "!language-configuration.json"]) {
      assert.ok(ignore.includes(keep), keep);
    }
    assert.ok(existsSync(join(extensionRoot, "LICENSE")));
  });
});
