// `npm run package`: a platform-specific .vsix with the xsguard binary inside, made offline.
//   1. cargo build --release -p xsguard   (XSGUARD_BINARY=path skips this and bundles that file)
//   2. copy the binary to server/xsguard and strip it
//   3. bundle the extension with esbuild (production)
//   4. vsce package --target <platform> --no-dependencies -o xsguard-<target>-<version>.vsix
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = resolve(root, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// VS Code's platform names, as in `vsce package --target`.
const targets = {
  "linux-x64": "linux-x64",
  "linux-arm64": "linux-arm64",
  "darwin-x64": "darwin-x64",
  "darwin-arm64": "darwin-arm64",
  "win32-x64": "win32-x64",
  "win32-arm64": "win32-arm64",
};
const target = process.env.XSGUARD_TARGET ?? targets[`${process.platform}-${process.arch}`];
if (!target) throw new Error(`no VS Code target for ${process.platform}-${process.arch}`);
const exe = target.startsWith("win32") ? "xsguard.exe" : "xsguard";

function run(cmd, args, cwd = root) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { cwd, stdio: "inherit" });
}

let binary = process.env.XSGUARD_BINARY;
if (!binary) {
  run("cargo", ["build", "--release", "-p", "xsguard"], repo);
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  binary = join(targetDir, "release", exe);
}
if (!existsSync(binary)) throw new Error(`no xsguard binary at ${binary}`);

rmSync(join(root, "server"), { recursive: true, force: true });
mkdirSync(join(root, "server"));
const bundled = join(root, "server", exe);
copyFileSync(binary, bundled);
chmodSync(bundled, 0o755);
// The release profile keeps line tables (for backtraces in benchmarks): 50 MB instead of 5.
if (!exe.endsWith(".exe") && process.env.XSGUARD_STRIP !== "0") {
  try {
    run("strip", [bundled]);
  } catch {
    console.warn("strip failed or is missing: the bundled binary keeps its debug information");
  }
}

run(process.execPath, [join(root, "scripts", "build.mjs"), "--production"]);

const out = process.env.XSGUARD_VSIX ?? join(root, `xsguard-${target}-${pkg.version}.vsix`);
run(process.execPath, [
  join(root, "node_modules", "@vscode", "vsce", "vsce"),
  "package",
  "--target",
  target,
  "--no-dependencies",
  "-o",
  out,
]);
console.log(`packaged ${out}`);
