// Finding the xsguard binary. No `vscode` import here: the unit tests run this in plain Node.
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a server binary came from, for the output channel and error messages. */
export type ServerSource = "setting" | "bundle" | "path";

export type ServerLookup =
  | { ok: true; path: string; source: ServerSource }
  | { ok: false; message: string };

export interface LookupInput {
  /** The `xsguard.path` setting; empty or undefined when not set. */
  configuredPath?: string;
  /** The folder the extension is installed in (`context.extensionPath`). */
  extensionPath: string;
  /** The folder of the workspace, to resolve a relative `xsguard.path` against. */
  workspaceFolder?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Overridable for tests. */
  isExecutable?: (file: string) => boolean;
}

/** The binary's file name on a platform. */
export function binaryName(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "xsguard.exe" : "xsguard";
}

/** Where `npm run package` puts the binary inside the extension. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(extensionPath, "server", binaryName(platform));
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~` and `${workspaceFolder}` and makes a relative path absolute. */
export function expandPath(value: string, env: NodeJS.ProcessEnv, workspaceFolder?: string): string {
  let p = value.trim();
  const home = env.HOME ?? env.USERPROFILE;
  if (home && (p === "~" || p.startsWith("~/") || p.startsWith("~\\"))) p = path.join(home, p.slice(1));
  if (workspaceFolder) p = p.split("${workspaceFolder}").join(workspaceFolder);
  if (!path.isAbsolute(p) && workspaceFolder) p = path.join(workspaceFolder, p);
  return p;
}

/** Searches `PATH` (and `PATHEXT` on Windows) like a shell does. */
export function searchPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
): string | undefined {
  const pathVar = env.PATH ?? env.Path ?? "";
  const sep = platform === "win32" ? ";" : ":";
  const exts = platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext.toLowerCase());
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * The binary to run: `xsguard.path` when the user set it (it overrides the bundle), else the
 * binary bundled in the platform-specific extension, else `xsguard` on PATH.
 */
export function findServer(input: LookupInput): ServerLookup {
  const platform = input.platform ?? process.platform;
  const env = input.env ?? process.env;
  const isExecutable = input.isExecutable ?? isExecutableFile;
  const configured = input.configuredPath?.trim();
  if (configured) {
    const p = expandPath(configured, env, input.workspaceFolder);
    if (isExecutable(p)) return { ok: true, path: p, source: "setting" };
    return {
      ok: false,
      message:
        `xsguard: the setting "xsguard.path" points to ${p}, which is not an executable file. ` +
        `Fix the path, or clear the setting to use the bundled binary.`,
    };
  }
  const bundled = bundledPath(input.extensionPath, platform);
  if (isExecutable(bundled)) return { ok: true, path: bundled, source: "bundle" };
  const onPath = searchPath("xsguard", env, platform, isExecutable);
  if (onPath) return { ok: true, path: onPath, source: "path" };
  return {
    ok: false,
    message:
      `xsguard: no language server binary found. This build of the extension bundles none for ` +
      `${platform}-${process.arch}. Install it with "cargo install --git https://github.com/xsguard/xsguard xsguard" ` +
      `(or put xsguard on PATH), or set "xsguard.path" to the binary.`,
  };
}

/** The command line that starts the language server. */
export function serverCommand(binary: string): { command: string; args: string[] } {
  return { command: binary, args: ["lsp"] };
}
