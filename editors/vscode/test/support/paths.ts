import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** editors/vscode (the tests run bundled, from out/test/<group>/). */
export const extensionRoot = resolve(__dirname, "..", "..", "..");
export const repoRoot = resolve(extensionRoot, "..", "..");

/** The server binary under test: $XSGUARD_BIN, else target/debug/xsguard of this checkout. */
export function serverBinary(): string {
  const fromEnv = process.env.XSGUARD_BIN;
  const p = fromEnv ? resolve(fromEnv) : join(repoRoot, "target", "debug", process.platform === "win32" ? "xsguard.exe" : "xsguard");
  if (!existsSync(p)) {
    throw new Error(`no xsguard binary at ${p}: run "cargo build -p xsguard" or set XSGUARD_BIN`);
  }
  return p;
}

/** The .vsix under test: $XSGUARD_VSIX, else the newest xsguard-*.vsix that `npm run package` left. */
export function packagedVsix(): string | undefined {
  if (process.env.XSGUARD_VSIX) return resolve(process.env.XSGUARD_VSIX);
  const found = readdirSync(extensionRoot)
    .filter((f) => /^xsguard-.*\.vsix$/.test(f))
    .map((f) => join(extensionRoot, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return found[0];
}

/** XSGUARD_REQUIRE=vsix,browser turns "skipped: not there" into a failure (CI sets it). */
export function required(what: string): boolean {
  return (process.env.XSGUARD_REQUIRE ?? "").split(",").map((s) => s.trim()).includes(what);
}

/** The vulnerable file the end-to-end tests open: XS301 (no swagger) with a quick fix. */
export const SHOP_XS = 'api_group shop {\n  canonical = "shop-v1"\n}\n';
export const SHOP_FIXED = 'api_group shop {\n  canonical = "shop-v1"\n  swagger = {active: false}\n}\n';
export const SWAGGER_FIX_TITLE = "Add `swagger = {active: false}`";
