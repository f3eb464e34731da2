// The client glue against the real `xsguard lsp` over stdio: the command line, settings and
// capabilities the extension uses, then diagnostics, quick fix, fix-all, hover, symbols and
// configuration changes as VS Code would drive them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { auditArgs } from "../../src/audit";
import { findServer, serverCommand } from "../../src/server";
import { serverSettings } from "../../src/settings";
import type { TextEdit } from "vscode-languageserver-protocol";

import { applyEdits, editsFor, fileUri, TestClient } from "../support/lsp";
import { SHOP_FIXED, SHOP_XS, SWAGGER_FIX_TITLE, extensionRoot, repoRoot, serverBinary } from "../support/paths";

const isCode = (code: string) => (d: { code?: unknown }) => d.code === code;

for (const pull of [true, false]) {
  describe(`xsguard lsp with ${pull ? "pulled (VS Code)" : "pushed"} diagnostics`, () => {
    let dir: string;
    let uri: string;
    let client: TestClient;
    let capabilities: any;
    let fixEdits: TextEdit[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "xsguard-lsp-"));
      writeFileSync(join(dir, "shop.xs"), SHOP_XS);
      uri = fileUri(join(dir, "shop.xs"));
      // The binary and command line exactly as the extension finds them (xsguard.path set).
      const found = findServer({ configuredPath: serverBinary(), extensionPath: extensionRoot });
      assert.ok(found.ok, !found.ok ? found.message : "");
      const { command, args } = serverCommand(found.path);
      ({ client, capabilities } = await TestClient.start({
        command,
        args,
        rootDir: dir,
        pull,
        initializationOptions: serverSettings({}),
      }));
    });

    after(() => {
      client?.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("initialize: the capabilities the extension relies on", () => {
      assert.ok(capabilities.codeActionProvider, "code actions");
      const kinds: string[] = capabilities.codeActionProvider.codeActionKinds ?? [];
      assert.ok(kinds.includes("quickfix"), `kinds: ${kinds}`);
      assert.ok(kinds.includes("source.fixAll.xsguard"), `kinds: ${kinds}`);
      assert.ok(capabilities.hoverProvider);
      assert.ok(capabilities.documentSymbolProvider);
      assert.ok(capabilities.textDocumentSync);
    });

    test("a vulnerable file gets XS301 as a warning with a link to its rule", async () => {
      await client.open(uri, SHOP_XS);
      const diags = await client.diagnostics(uri, (d) => d.some(isCode("XS301")));
      const d = diags.find(isCode("XS301"))!;
      assert.equal(d.severity, 2, "warning");
      assert.equal(d.source, "xsguard");
      assert.match(typeof d.message === "string" ? d.message : d.message.value, /swagger/);
      assert.deepEqual(d.range.start, { line: 0, character: 0 });
      assert.ok(d.codeDescription?.href, "codeDescription.href");
    });

    test("the preferred quick fix adds `swagger = {active: false}`", async () => {
      const diags = await client.diagnostics(uri, (d) => d.some(isCode("XS301")));
      const d = diags.find(isCode("XS301"))!;
      const actions = await client.codeActions(uri, d.range, [d], ["quickfix"]);
      const fix = actions.find((a) => a.title === SWAGGER_FIX_TITLE);
      assert.ok(fix, `actions: ${actions.map((a) => a.title).join(" | ")}`);
      assert.equal(fix.kind, "quickfix");
      assert.equal(fix.isPreferred, true);
      assert.ok(fix.diagnostics?.some(isCode("XS301")), "the fix names its diagnostic");
      assert.ok(
        actions.some((a) => a.title.startsWith("Suppress XS301")),
        `a suppression: ${actions.map((a) => a.title).join(" | ")}`,
      );
      const resolved = await client.withEdit(fix);
      fixEdits = editsFor(uri, resolved.edit);
      assert.equal(applyEdits(SHOP_XS, fixEdits), SHOP_FIXED);
    });

    test("after the editor applies the fix (incremental didChange) XS301 is gone", async () => {
      assert.ok(fixEdits.length > 0);
      // Edits of one change event apply in order, so the last position goes first.
      const changes = [...fixEdits].reverse().map((e) => ({ range: e.range, text: e.newText }));
      await client.change(uri, 2, changes);
      const diags = await client.diagnostics(uri, (d) => !d.some(isCode("XS301")));
      assert.ok(!diags.some(isCode("XS301")));
    });

    test("source.fixAll.xsguard fixes what is safe to fix", async () => {
      await client.change(uri, 3, [{ text: SHOP_XS }]);
      const diags = await client.diagnostics(uri, (d) => d.some(isCode("XS301")));
      const whole = { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } };
      const actions = await client.codeActions(uri, whole, diags, ["source.fixAll.xsguard"]);
      assert.equal(actions.length, 1, actions.map((a) => a.title).join(" | "));
      const fixAll = await client.withEdit(actions[0]);
      const text = applyEdits(SHOP_XS, editsFor(uri, fixAll.edit));
      assert.match(text, /swagger = \{active: false\}/);
    });

    test("hover on the finding explains it", async () => {
      const hover: any = await client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line: 0, character: 2 },
      });
      const value = typeof hover?.contents === "string" ? hover.contents : hover?.contents?.value ?? JSON.stringify(hover?.contents);
      assert.match(value, /XS301/);
    });

    test("document symbols list the api group", async () => {
      const symbols: any[] = await client.request("textDocument/documentSymbol", { textDocument: { uri } });
      assert.ok(symbols.some((s) => String(s.name).includes("shop")), JSON.stringify(symbols));
    });

    test("didChangeConfiguration with the extension's payload is accepted", async () => {
      await client.notify("workspace/didChangeConfiguration", { settings: serverSettings({ XS302: "off" }) });
      const diags = await client.diagnostics(uri, (d) => d.some(isCode("XS301")));
      assert.ok(diags.length > 0);
      assert.deepEqual(
        client.messages.filter((m) => m.type <= 2),
        [],
        "no error or warning message for the settings",
      );
    });

    // The extension sends `xsguard.severity` as {"severity": {...}}.
    test("xsguard.severity {XS302: off} hides XS302, {XS301: error} raises XS301", async () => {
      const refreshes = client.refreshes;
      await client.notify("workspace/didChangeConfiguration", {
        settings: serverSettings({ XS302: "off", XS301: "error" }),
      });
      const diags = await client.diagnostics(
        uri,
        (d) => !d.some(isCode("XS302")) && d.find(isCode("XS301"))?.severity === 1,
        5000,
      );
      assert.ok(!diags.some(isCode("XS302")));
      if (pull) {
        // VS Code pulls again only when asked: the server must send workspace/diagnostic/refresh.
        await client.waitFor("workspace/diagnostic/refresh", () => client.refreshes > refreshes);
      }
      // Back to the rules' own severities.
      await client.notify("workspace/didChangeConfiguration", { settings: serverSettings({}) });
      await client.diagnostics(uri, (d) => d.some(isCode("XS302")) && d.find(isCode("XS301"))?.severity === 2);
    });

    test("shutdown and exit end the process cleanly", async () => {
      assert.equal(await client.shutdown(), 0);
    });
  });
}

describe("audit command line", () => {
  test("`xsguard audit <folder> --format html -o <file>` writes a self-contained page", () => {
    const out = join(mkdtempSync(join(tmpdir(), "xsguard-audit-")), "report.html");
    execFileSync(serverBinary(), auditArgs(join(repoRoot, "examples"), out), { stdio: "pipe" });
    assert.ok(existsSync(out));
    const html = readFileSync(out, "utf8");
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<head/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, "no outside resources for the webview");
  });
});
