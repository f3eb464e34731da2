// The packaged extension in a real VS Code: code-server on loopback with the .vsix installed,
// driven by Debian's chromium through playwright-core. Opens a vulnerable file, waits for
// xsguard's diagnostic, applies the quick fix from the lightbulb menu, checks the new text,
// runs the audit command, and saves a screenshot (findings + quick fix) for docs/editors.md.
import assert from "node:assert/strict";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";

import { SHOP_XS, SWAGGER_FIX_TITLE, extensionRoot, packagedVsix, required } from "../support/paths";

const CODE_SERVER =
  process.env.CODE_SERVER ?? join(homedir(), ".cache/xsguard-ci/code-server-4.100.3/node_modules/.bin/code-server");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOT = resolve(process.env.XSGUARD_SCREENSHOT ?? join(extensionRoot, "test-results", "vscode-quickfix.png"));
const vsix = packagedVsix();

const missing = [
  [existsSync(CODE_SERVER), `code-server (${CODE_SERVER}; editors/scripts/install-test-tools.sh installs it)`],
  [existsSync(CHROMIUM), `chromium (${CHROMIUM})`],
  [vsix !== undefined, "a .vsix (npm run package)"],
]
  .filter(([ok]) => !ok)
  .map(([, what]) => what);
const skip = missing.length === 0 || required("browser") ? false : `needs ${missing.join(", ")}`;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitForHealth(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}:\n${log()}`);
}

/** The text of the editor, from its rendered lines (Monaco positions them by `top`, in any DOM order). */
async function editorText(page: Page): Promise<string> {
  const lines = await page
    .locator(".part.editor .monaco-editor .view-lines")
    .first()
    // Runs in the page: `any` keeps the DOM types out of this Node project.
    .evaluate((el: any): string[] =>
      [...el.querySelectorAll(".view-line")]
        .map((line: any): [number, string] => [parseFloat(line.style.top), line.textContent ?? ""])
        .sort((a, b) => a[0] - b[0])
        .map(([, text]) => text),
    );
  return lines.join("\n").replace(/\u00a0/g, " ");
}

async function expectEditorText(page: Page, text: string): Promise<void> {
  for (let i = 0; (await editorText(page)) !== text; i++) {
    if (i === 50) assert.equal(await editorText(page), text);
    await page.waitForTimeout(100);
  }
}

/** A test that leaves a screenshot and the DOM of the workbench in test-results/ when it fails. */
function uiTest(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      const base = join(extensionRoot, "test-results", "failure-" + name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60));
      mkdirSync(dirname(base), { recursive: true });
      await currentPage?.screenshot({ path: base + ".png" }).catch(() => undefined);
      const html = await currentPage?.content().catch(() => "");
      if (html) writeFileSync(base + ".html", html);
      throw error;
    }
  });
}
let currentPage: Page | undefined;

describe("the .vsix in code-server, driven by chromium", { skip, timeout: 240_000 }, () => {
  let dir: string;
  let ws: string;
  let server: ChildProcess | undefined;
  let serverLog = "";
  let context: BrowserContext | undefined;
  let page: Page;
  let port: number;
  let user: string;
  let settings: Record<string, unknown>;

  before(async () => {
    assert.deepEqual(missing, [], "XSGUARD_REQUIRE=browser and something is missing");
    dir = mkdtempSync(join(tmpdir(), "xsguard-code-server-"));
    ws = join(dir, "shop-app");
    mkdirSync(ws);
    writeFileSync(join(ws, "api_group.xs"), SHOP_XS);
    user = join(dir, "user-data");
    const extensions = join(dir, "extensions");
    mkdirSync(join(user, "User"), { recursive: true });
    settings = {
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.colorTheme": "Default Light Modern",
      "security.workspace.trust.enabled": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "editor.minimap.enabled": false,
      "editor.fontSize": 15,
      // The settings test types JSON into the editor: no auto-closing, no formatting.
      "editor.autoClosingBrackets": "never",
      "editor.autoClosingQuotes": "never",
      "editor.autoIndent": "none",
      "editor.formatOnType": false,
      "chat.commandCenter.enabled": false,
      "workbench.secondarySideBar.defaultVisibility": "hidden",
    };
    writeFileSync(join(user, "User", "settings.json"), JSON.stringify(settings));
    const env = { ...process.env, XDG_CONFIG_HOME: join(dir, "config"), XDG_DATA_HOME: join(dir, "data") };
    const common = ["--extensions-dir", extensions, "--user-data-dir", user];
    const installed = execFileSync(CODE_SERVER, ["--install-extension", vsix!, ...common], { env, encoding: "utf8" });
    assert.match(installed, /was successfully installed/);

    port = await freePort();
    server = spawn(
      CODE_SERVER,
      [
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--auth",
        "none",
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        ...common,
        ws,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    server.stdout!.on("data", (d) => (serverLog += String(d)));
    server.stderr!.on("data", (d) => (serverLog += String(d)));
    await waitForHealth(`http://127.0.0.1:${port}/healthz`, server, () => serverLog);

    context = await chromium.launchPersistentContext(join(dir, "chromium"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 760 },
      deviceScaleFactor: 1,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    currentPage = page;
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    if (server?.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  uiTest("the workbench loads the folder", async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "api_group.xs" }).waitFor();
  });

  uiTest("opening the .xs file activates the extension and shows XS301", async () => {
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "api_group.xs" }).click();
    await page.locator(".monaco-editor .view-lines", { hasText: "canonical" }).waitFor();
    // The language mode in the status bar comes from the extension's contribution.
    await page.locator(".statusbar-item", { hasText: "XanoScript" }).first().waitFor();
    await page.locator(".monaco-editor .squiggly-warning").first().waitFor({ timeout: 60_000 });
    // The Problems panel lists the findings with their codes.
    await page.keyboard.press("Control+Shift+M");
    const problems = page.locator(".markers-panel");
    await problems.locator(".monaco-list-row", { hasText: "swagger" }).first().waitFor();
    await problems.getByText("XS301").first().waitFor();
  });

  uiTest("the quick fix from the lightbulb menu adds `swagger = {active: false}`", async () => {
    // Put the cursor on the finding (line 1) and open the quick fix menu with Ctrl+. as a user
    // would; when VS Code answers "No code actions available" (its request raced the lightbulb's),
    // press it again.
    await page.locator(".monaco-editor .view-line", { hasText: "api_group shop" }).first().click();
    await page.keyboard.press("Home");
    const menu = page.locator(".action-widget");
    const fix = menu.locator(".monaco-list-row.action", { hasText: SWAGGER_FIX_TITLE });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Control+Period");
      try {
        await fix.waitFor({ timeout: 5000 });
        break;
      } catch (error) {
        if (attempt === 4) throw error;
        await page.keyboard.press("Escape");
        await page.waitForTimeout(500);
      }
    }
    await menu.getByText("Suppress XS301").first().waitFor();
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    // The preferred fix is the one the menu focuses: Enter applies it.
    await menu.locator(".monaco-list-row.action.focused", { hasText: SWAGGER_FIX_TITLE }).waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".monaco-editor .view-line", { hasText: "swagger = {active: false}" }).waitFor();
    assert.equal(await editorText(page), 'api_group shop {\n  canonical = "shop-v1"\n  swagger = {active: false}\n}\n');
    // XS301 leaves the Problems panel once the server has seen the edit.
    await page.locator(".markers-panel").getByText("XS301").first().waitFor({ state: "detached" });
  });

  uiTest("xsguard.severity set in the settings editor reaches the server: XS302 off", async () => {
    const panel = page.locator(".markers-panel");
    await panel.getByText("XS302").first().waitFor();
    // code-server does not watch settings.json for changes made behind its back: edit it in VS Code.
    await page.keyboard.press("F1");
    await page.keyboard.type("Preferences: Open User Settings (JSON)");
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Open User Settings (JSON)" }).first().click();
    await page.locator(".tabs-container .tab.active", { hasText: "settings.json" }).waitFor();
    await page.locator(".part.editor .monaco-editor.focused .view-line", { hasText: "workbench.startupEditor" }).first().waitFor();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await expectEditorText(page, "");
    const wanted = { ...settings, "xsguard.severity": { XS302: "off" } };
    await page.keyboard.insertText(JSON.stringify(wanted));
    await page.keyboard.press("Control+S");
    const file = join(user, "User", "settings.json");
    for (let i = 0; ; i++) {
      try {
        assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), wanted);
        break;
      } catch (error) {
        if (i === 100) throw error;
        await page.waitForTimeout(100);
      }
    }
    await page.locator(".tabs-container .tab", { hasText: "api_group.xs" }).click();
    await panel.getByText("XS302").first().waitFor({ state: "detached" });
    await panel.getByText("No problems have been detected").waitFor();
  });

  uiTest("the server is the binary bundled in the .vsix", async () => {
    await page.keyboard.press("F1");
    await page.keyboard.type("xsguard: Show Output");
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "xsguard: Show Output" }).first().click();
    await page.locator(".output-view, .repl-input-wrapper, .panel .monaco-editor").first().waitFor();
    await page.locator(".panel .view-lines", { hasText: "/server/xsguard lsp (from bundle)" }).first().waitFor();
  });

  uiTest("xsguard: Run Audit on Workspace opens the report", async () => {
    await page.keyboard.press("F1");
    await page.keyboard.type("xsguard: Run Audit");
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Run Audit on Workspace" }).first().click();
    await page.locator(".tabs-container .tab", { hasText: "Audit: shop-app" }).waitFor();
    await page.locator(".notifications-toasts", { hasText: "audit report written" }).first().waitFor();
  });
});
