// A Node LSP client over stdio for the end-to-end tests: the same wire protocol, capabilities
// and settings that vscode-languageclient sends from VS Code, without VS Code.
import { spawn, type ChildProcess } from "node:child_process";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Diagnostic,
  type ProtocolConnection,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";

import { configurationAnswer } from "../../src/settings";

export interface ClientOptions {
  command: string;
  args: string[];
  rootDir: string;
  initializationOptions?: unknown;
  /** Advertise `textDocument/diagnostic` (VS Code does; the server then stops pushing). */
  pull: boolean;
  /** What the user put in `xsguard.severity`, for `workspace/configuration` answers. */
  severity?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fileUri(path: string): string {
  return "file://" + path.split("/").map(encodeURIComponent).join("/");
}

/** Capabilities as VS Code 1.100's language client announces them (the parts xsguard reads). */
export function vscodeLikeCapabilities(pull: boolean): Record<string, unknown> {
  const textDocument: Record<string, unknown> = {
    synchronization: { dynamicRegistration: true, didSave: true, willSave: true, willSaveWaitUntil: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: false,
      tagSupport: { valueSet: [1, 2] },
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    codeAction: {
      dynamicRegistration: true,
      isPreferredSupport: true,
      disabledSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ["edit"] },
      codeActionLiteralSupport: {
        codeActionKind: {
          valueSet: ["", "quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.rewrite", "source", "source.organizeImports"],
        },
      },
      honorsChangeAnnotations: true,
    },
    hover: { dynamicRegistration: true, contentFormat: ["markdown", "plaintext"] },
    documentSymbol: { dynamicRegistration: true, hierarchicalDocumentSymbolSupport: true, labelSupport: true },
  };
  if (pull) textDocument.diagnostic = { dynamicRegistration: true, relatedDocumentSupport: false };
  return {
    general: { positionEncodings: ["utf-16"] },
    textDocument,
    workspace: {
      applyEdit: true,
      workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"] },
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      configuration: true,
      workspaceFolders: true,
      symbol: { dynamicRegistration: true },
      diagnostics: { refreshSupport: pull },
    },
    window: { workDoneProgress: true, showMessage: {}, showDocument: { support: true } },
  };
}

export class TestClient {
  readonly published = new Map<string, Diagnostic[]>();
  readonly messages: { type: number; message: string }[] = [];
  readonly registrations: string[] = [];
  stderr = "";
  refreshes = 0;
  exitCode: number | null = null;
  private exited: Promise<number | null>;

  private constructor(
    readonly options: ClientOptions,
    readonly proc: ChildProcess,
    readonly conn: ProtocolConnection,
  ) {
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve((this.exitCode = code))));
  }

  static async start(options: ClientOptions): Promise<{ client: TestClient; capabilities: any }> {
    const proc = spawn(options.command, options.args, { cwd: options.rootDir, stdio: ["pipe", "pipe", "pipe"] });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new TestClient(options, proc, conn);
    proc.stderr!.on("data", (d) => (client.stderr += String(d)));
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: Diagnostic[] }) => {
      client.published.set(p.uri, p.diagnostics);
    });
    conn.onNotification("window/showMessage", (p: { type: number; message: string }) => {
      client.messages.push(p);
    });
    conn.onNotification("window/logMessage", () => undefined);
    conn.onNotification("$/progress", () => undefined);
    conn.onRequest("client/registerCapability", (p: { registrations: { method: string }[] }) => {
      client.registrations.push(...p.registrations.map((r) => r.method));
      return null;
    });
    conn.onRequest("client/unregisterCapability", () => null);
    conn.onRequest("window/workDoneProgress/create", () => null);
    conn.onRequest("window/showMessageRequest", (p: { type: number; message: string }) => {
      client.messages.push(p);
      return null;
    });
    conn.onRequest("workspace/diagnostic/refresh", () => {
      client.refreshes++;
      return null;
    });
    conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) =>
      configurationAnswer(p.items, p.items.map(() => null), options.severity),
    );
    conn.listen();
    const rootUri = fileUri(options.rootDir);
    const result: any = await withTimeout(
      conn.sendRequest("initialize", {
        processId: process.pid,
        clientInfo: { name: "xsguard-vscode-test", version: "1.100.3" },
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: "ws" }],
        capabilities: vscodeLikeCapabilities(options.pull),
        initializationOptions: options.initializationOptions,
        trace: "off",
      }),
      10_000,
      () => `initialize got no answer; stderr: ${client.stderr}`,
    );
    await conn.sendNotification("initialized", {});
    return { client, capabilities: result.capabilities };
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "xanoscript", version, text },
    });
  }

  change(uri: string, version: number, changes: { range?: Range; text: string }[]): Promise<void> {
    return this.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version },
      contentChanges: changes,
    });
  }

  /** Diagnostics the way the client gets them (pulled or pushed), polled until `until` holds. */
  async diagnostics(uri: string, until: (d: Diagnostic[]) => boolean, timeoutMs = 15_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    let last: Diagnostic[] = [];
    while (Date.now() < deadline) {
      if (this.options.pull) {
        const report: any = await this.conn.sendRequest("textDocument/diagnostic", { textDocument: { uri } });
        if (report?.kind === "full") last = report.items;
      } else {
        last = this.published.get(uri) ?? [];
      }
      if (until(last)) return last;
      await sleep(100);
    }
    const summary = last.map((d) => `${String(d.code)} (severity ${d.severity})`).join(", ") || "none";
    throw new Error(`diagnostics never matched; last: ${summary}; server stderr: ${this.stderr.trim() || "empty"}`);
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const result: any[] = await this.conn.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range,
      context: { diagnostics, only, triggerKind: 1 },
    });
    return (result ?? []).filter((a) => !("command" in a && typeof a.command === "string"));
  }

  /** The action with its edit, resolving it when the list came without one. */
  async withEdit(action: CodeAction): Promise<CodeAction> {
    if (action.edit) return action;
    return this.conn.sendRequest("codeAction/resolve", action) as Promise<CodeAction>;
  }

  /** Polls until `cond` holds. */
  async waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.conn.sendNotification(method, params);
  }

  async shutdown(): Promise<number | null> {
    await withTimeout(this.conn.sendRequest("shutdown"), 5000, () => "shutdown got no answer");
    await this.conn.sendNotification("exit");
    const code = await withTimeout(this.exited, 5000, () => "the server did not exit after `exit`");
    this.conn.dispose();
    return code;
  }

  kill(): void {
    if (this.exitCode === null) this.proc.kill("SIGKILL");
    this.conn.dispose();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms))),
  ]);
}

/** The edits a workspace edit makes to one document (`changes` or `documentChanges`). */
export function editsFor(uri: string, edit: WorkspaceEdit | undefined): TextEdit[] {
  if (!edit) return [];
  if (edit.documentChanges) {
    return edit.documentChanges.flatMap((c: any) => (c.textDocument?.uri === uri ? c.edits : []));
  }
  return edit.changes?.[uri] ?? [];
}

function offsetAt(text: string, line: number, character: number): number {
  let at = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return Math.min(at + character, text.length);
}

/** Applies LSP text edits (UTF-16 positions) the way an editor does: all against the old text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const spans = edits
    .map((e) => ({
      start: offsetAt(text, e.range.start.line, e.range.start.character),
      end: offsetAt(text, e.range.end.line, e.range.end.character),
      newText: e.newText,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.newText + out.slice(s.end);
  return out;
}
