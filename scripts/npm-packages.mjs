#!/usr/bin/env node
// Generates the npm packages of a release: `xsguard` (the launcher, npm/xsguard) and one
// `@xsguard/cli-<platform>` per binary given (from npm/template), all at one version.
//
//   node scripts/npm-packages.mjs --version 0.1.0 --out DIR --binary linux-x64=target/dist/xsguard \
//        [--binary darwin-arm64=path ...] [--all] [--pack]
//
// --all refuses to run unless a binary is given for every platform (the release does this);
// --pack runs `npm pack` on each package and leaves the .tgz files in DIR. DIR must be new,
// empty, or made by this script before (it holds a .xsguard-npm-out marker): nothing else there
// is overwritten. Exit status 2 on bad arguments.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MARKER = ".xsguard-npm-out";

// npm platform name -> package.json os/cpu/libc, Rust target, executable name.
export const PLATFORMS = {
  "linux-x64": { os: "linux", cpu: "x64", libc: "glibc", target: "x86_64-unknown-linux-gnu", desc: "Linux x86_64 (glibc)" },
  "linux-x64-musl": { os: "linux", cpu: "x64", libc: "musl", target: "x86_64-unknown-linux-musl", desc: "Linux x86_64 (musl)" },
  "linux-arm64": { os: "linux", cpu: "arm64", libc: "glibc", target: "aarch64-unknown-linux-gnu", desc: "Linux aarch64 (glibc)" },
  "darwin-x64": { os: "darwin", cpu: "x64", target: "x86_64-apple-darwin", desc: "macOS x86_64" },
  "darwin-arm64": { os: "darwin", cpu: "arm64", target: "aarch64-apple-darwin", desc: "macOS arm64 (Apple silicon)" },
  "win32-x64": { os: "win32", cpu: "x64", target: "x86_64-pc-windows-msvc", desc: "Windows x86_64" },
};

function fail(message) {
  process.stderr.write(`npm-packages: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { binaries: {}, all: false, pack: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--version") opts.version = value();
    else if (arg === "--out") opts.out = value();
    else if (arg === "--binary") {
      const spec = value();
      const eq = spec.indexOf("=");
      if (eq < 1) fail(`--binary wants PLATFORM=PATH, got ${spec}`);
      const platform = spec.slice(0, eq);
      if (!PLATFORMS[platform]) fail(`unknown platform ${platform} (known: ${Object.keys(PLATFORMS).join(", ")})`);
      opts.binaries[platform] = spec.slice(eq + 1);
    } else if (arg === "--all") opts.all = true;
    else if (arg === "--pack") opts.pack = true;
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport ")[0]);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  if (!opts.version) fail("--version is required");
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(opts.version)) {
    fail(`--version ${opts.version} is not a semantic version (1.2.3 or 1.2.3-rc.1)`);
  }
  if (!opts.out) fail("--out is required");
  if (opts.all) {
    const missing = Object.keys(PLATFORMS).filter((p) => !opts.binaries[p]);
    if (missing.length) fail(`--all: no --binary for ${missing.join(", ")}`);
  }
  for (const [platform, file] of Object.entries(opts.binaries)) {
    if (!existsSync(file) || !statSync(file).isFile()) fail(`the binary for ${platform} is not a file: ${file}`);
  }
  return opts;
}

function prepareOut(out) {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) fail(`--out ${out} is not a directory`);
    const entries = readdirSync(out);
    if (entries.length && !entries.includes(MARKER)) {
      fail(`--out ${out} is not empty and was not made by this script; give a new directory`);
    }
    for (const entry of entries) rmSync(join(out, entry), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), "made by scripts/npm-packages.mjs; emptied on each run\n");
}

function fill(text, values) {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    if (!(key in values)) fail(`template placeholder {{${key}}} has no value`);
    return values[key];
  });
}

function platformPackage(out, platform, binary, version) {
  const p = PLATFORMS[platform];
  const exe = p.os === "win32" ? "xsguard.exe" : "xsguard";
  const values = { platform, version, exe, os: p.os, cpu: p.cpu, target: p.target, description: p.desc };
  const dir = join(out, `cli-${platform}`);
  mkdirSync(dir);
  const manifest = JSON.parse(fill(readFileSync(join(repo, "npm/template/package.json"), "utf8"), values));
  if (p.libc) manifest.libc = [p.libc];
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "README.md"), fill(readFileSync(join(repo, "npm/template/README.md"), "utf8"), values));
  copyFileSync(join(repo, "LICENSE"), join(dir, "LICENSE"));
  copyFileSync(binary, join(dir, exe));
  chmodSync(join(dir, exe), 0o755);
  return dir;
}

function launcherPackage(out, version) {
  const dir = join(out, "xsguard");
  mkdirSync(join(dir, "bin"), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(repo, "npm/xsguard/package.json"), "utf8"));
  manifest.version = version;
  const expected = Object.keys(PLATFORMS).map((p) => `@xsguard/cli-${p}`).sort();
  if (JSON.stringify(Object.keys(manifest.optionalDependencies).sort()) !== JSON.stringify(expected)) {
    fail("npm/xsguard/package.json's optionalDependencies do not list exactly the platforms of this script");
  }
  for (const name of expected) manifest.optionalDependencies[name] = version;
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(repo, "npm/xsguard/bin/xsguard.js"), join(dir, "bin/xsguard.js"));
  chmodSync(join(dir, "bin/xsguard.js"), 0o755);
  copyFileSync(join(repo, "npm/xsguard/README.md"), join(dir, "README.md"));
  copyFileSync(join(repo, "LICENSE"), join(dir, "LICENSE"));
  return dir;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = resolve(opts.out);
  prepareOut(out);
  const dirs = [launcherPackage(out, opts.version)];
  for (const [platform, binary] of Object.entries(opts.binaries)) {
    dirs.push(platformPackage(out, platform, resolve(binary), opts.version));
  }
  for (const dir of dirs) {
    if (opts.pack) {
      const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: dir, encoding: "utf8" });
      console.log(join(out, name.trim().split("\n").pop()));
    } else {
      console.log(dir);
    }
  }
}

// Run as a script; imported (for PLATFORMS), do nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
