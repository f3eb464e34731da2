// The VS Code side: starts `xsguard lsp` through vscode-languageclient and wires the commands.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  DidChangeConfigurationNotification,
} from "vscode-languageclient/node";

import { COMMANDS } from "./commands";
import { auditArgs, reportPath, webviewHtml } from "./audit";
import { braceFolds } from "./folding";
import { bundledPath, findServer, serverCommand, type ServerLookup } from "./server";
import {
  NOTIFY_SETTINGS,
  RESTART_SETTINGS,
  configurationAnswer,
  normalizeSeverity,
  serverSettings,
} from "./settings";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let extensionPath = "";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("xsguard", { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(COMMANDS.restartServer, restart),
    vscode.commands.registerCommand(COMMANDS.auditWorkspace, auditWorkspace),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
    vscode.languages.registerFoldingRangeProvider(
      { language: "xanoscript" },
      {
        provideFoldingRanges: (document) =>
          braceFolds(document.getText()).map((f) => new vscode.FoldingRange(f.start, f.end)),
      },
    ),
    { dispose: () => void stopClient() },
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("xsguard");
}

function locateServer(): ServerLookup {
  ensureBundledExecutable();
  return findServer({
    configuredPath: config().get<string>("path"),
    extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  });
}

/** A .vsix made on a system that loses file modes would ship the binary without its x bit. */
function ensureBundledExecutable(): void {
  const bundled = bundledPath(extensionPath);
  if (process.platform === "win32" || !fs.existsSync(bundled)) return;
  try {
    fs.accessSync(bundled, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(bundled, 0o755);
    } catch {
      // findServer reports it as not executable and moves on.
    }
  }
}

async function showLookupError(message: string): Promise<void> {
  output.appendLine(message);
  const open = "Open Settings";
  const choice = await vscode.window.showErrorMessage(message, open);
  if (choice === open) await vscode.commands.executeCommand("workbench.action.openSettings", "xsguard.path");
}

function severityForServer(): ReturnType<typeof serverSettings> {
  const raw = config().get("severity");
  for (const problem of normalizeSeverity(raw).problems) output.appendLine(problem);
  return serverSettings(raw);
}

async function startClient(): Promise<void> {
  const found = locateServer();
  if (!found.ok) {
    void showLookupError(found.message);
    return;
  }
  output.appendLine(`xsguard: starting ${found.path} lsp (from ${found.source})`);
  const run = { ...serverCommand(found.path), options: { env: { ...process.env } } };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "xanoscript" },
      { scheme: "untitled", language: "xanoscript" },
    ],
    initializationOptions: severityForServer(),
    outputChannel: output,
    traceOutputChannel: output,
    middleware: {
      workspace: {
        // If the server asks for its section, it gets the same shape as initializationOptions.
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) return answer;
          return configurationAnswer(params.items, answer, config().get("severity"));
        },
      },
    },
  };
  client = new LanguageClient("xsguard", "xsguard", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message = `xsguard: the language server (${found.path}) did not start: ${String(error)}`;
    void showLookupError(message);
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (!running) return;
  try {
    await running.stop(2000);
  } catch {
    // It may not have started at all.
  }
  await running.dispose().catch(() => undefined);
}

async function restart(): Promise<void> {
  await stopClient();
  await startClient();
}

async function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (RESTART_SETTINGS.some((s) => event.affectsConfiguration(s))) {
    await restart();
    return;
  }
  if (client?.isRunning() && NOTIFY_SETTINGS.some((s) => event.affectsConfiguration(s))) {
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: severityForServer(),
    });
  }
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder to audit" });
}

async function auditWorkspace(): Promise<void> {
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showErrorMessage("xsguard: open a folder to audit first.");
    return;
  }
  const found = locateServer();
  if (!found.ok) {
    void showLookupError(found.message);
    return;
  }
  const dir = folder.uri.fsPath;
  const report = reportPath(os.tmpdir(), dir);
  const args = auditArgs(dir, report);
  output.appendLine(`xsguard: ${found.path} ${args.join(" ")}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `xsguard: auditing ${folder.name}…` },
    () =>
      new Promise<{ error: Error | null; stderr: string }>((resolve) => {
        execFile(found.path, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) =>
          resolve({ error, stderr: String(stderr) }),
        );
      }),
  );
  if (result.error || !fs.existsSync(report)) {
    output.appendLine(result.stderr);
    const message = `xsguard: the audit failed: ${result.stderr.trim() || String(result.error)}`;
    void vscode.window.showErrorMessage(message, "Show Output").then((c) => c && output.show(true));
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    "xsguard.audit",
    `Audit: ${folder.name}`,
    vscode.ViewColumn.Active,
    { enableScripts: true, enableFindWidget: true },
  );
  panel.webview.html = webviewHtml(fs.readFileSync(report, "utf8"));
  const openExternal = "Open in Browser";
  void vscode.window
    .showInformationMessage(`xsguard: audit report written to ${path.basename(report)}`, openExternal)
    .then((choice) => {
      if (choice === openExternal) void vscode.env.openExternal(vscode.Uri.file(report));
    });
}
