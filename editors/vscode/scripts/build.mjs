// Bundles the extension into dist/extension.js; with --tests also the tests into out/test/.
// Type checking is separate: `npm run typecheck`.
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes("--production");

await build({
  absWorkingDir: root,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
});

if (process.argv.includes("--tests")) {
  rmSync(join(root, "out"), { recursive: true, force: true });
  const entryPoints = [];
  for (const group of ["unit", "lsp", "package", "browser"]) {
    for (const file of readdirSync(join(root, "test", group))) {
      if (file.endsWith(".test.ts")) entryPoints.push(`test/${group}/${file}`);
    }
  }
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir: "out/test",
    outbase: "test",
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Loaded from node_modules at run time: the oniguruma wasm file and playwright's own files.
    external: ["vscode", "vscode-oniguruma", "vscode-textmate", "playwright-core"],
    sourcemap: "inline",
    logLevel: "warning",
  });
}
