#!/usr/bin/env node
// The `xsguard` command of the npm package: finds the native binary that npm installed from the
// platform package (@xsguard/cli-<os>-<cpu>[-musl], an optional dependency) and runs it with the
// same arguments, standard streams and exit status. XSGUARD_BINARY=/path/to/xsguard runs that
// binary instead. No dependencies; works on Node 18 and later.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

// Platform key (process.platform-process.arch, "-musl" for musl Linux) -> npm package.
const PACKAGES = {
  "linux-x64": "@xsguard/cli-linux-x64",
  "linux-x64-musl": "@xsguard/cli-linux-x64-musl",
  "linux-arm64": "@xsguard/cli-linux-arm64",
  "darwin-x64": "@xsguard/cli-darwin-x64",
  "darwin-arm64": "@xsguard/cli-darwin-arm64",
  "win32-x64": "@xsguard/cli-win32-x64",
};

const OTHER_ROUTES = [
  "Other ways to install xsguard:",
  "  - the install script (Linux x86_64 and aarch64, glibc or musl; macOS):",
  "      curl -LsSf https://github.com/xsguard/xsguard/releases/latest/download/install.sh | sh",
  "  - a release archive: https://github.com/xsguard/xsguard/releases",
  "  - from source (Rust 1.90+ and a C compiler): cargo install xsguard --locked",
  "Then point this package at it with XSGUARD_BINARY=/path/to/xsguard, or run it directly.",
].join("\n");

/** True on Linux with musl libc (Alpine): Node's report names a glibc version only on glibc. */
function isMusl(host) {
  if (host.musl !== undefined) return host.musl;
  if (host.platform !== "linux") return false;
  try {
    if (process.report) {
      process.report.excludeNetwork = true;
      const header = process.report.getReport().header;
      return !header.glibcVersionRuntime;
    }
  } catch {
    // fall through to the loader check
  }
  try {
    return fs.readdirSync("/lib").some((f) => f.startsWith("ld-musl-"));
  } catch {
    return false;
  }
}

/** The platform key for a host ({platform, arch, musl?}); the current process by default. */
function platformKey(host = { platform: process.platform, arch: process.arch }) {
  const base = `${host.platform}-${host.arch}`;
  return isMusl(host) ? `${base}-musl` : base;
}

/**
 * Where the binary is: {binary} on success, {error} (a message for the user) otherwise.
 * `resolve` finds a package's file (require.resolve by default, from this file's directory).
 */
function resolveBinary(host, env = process.env, resolve = require.resolve) {
  const override = env.XSGUARD_BINARY;
  if (override) {
    if (fs.existsSync(override)) return { binary: override };
    return { error: `xsguard: XSGUARD_BINARY is set to ${override}, which does not exist.` };
  }
  const key = platformKey(host);
  const pkg = PACKAGES[key];
  if (!pkg) {
    return {
      error: [
        `xsguard: the npm package has no binary for this platform (${key}).`,
        `Binaries are published for: ${Object.keys(PACKAGES).join(", ")}.`,
        OTHER_ROUTES,
      ].join("\n"),
    };
  }
  const exe = host.platform === "win32" ? "xsguard.exe" : "xsguard";
  let dir;
  try {
    dir = path.dirname(resolve(`${pkg}/package.json`, { paths: [__dirname] }));
  } catch {
    return {
      error: [
        `xsguard: the package ${pkg}, which holds the binary for this platform (${key}), is not installed.`,
        "It is an optional dependency of xsguard: reinstall without --omit=optional / --no-optional,",
        "and make sure the lockfile was not made on another platform (npm install regenerates it).",
        OTHER_ROUTES,
      ].join("\n"),
    };
  }
  const binary = path.join(dir, exe);
  if (!fs.existsSync(binary)) {
    return { error: `xsguard: ${pkg} is installed but has no ${exe} (${binary}); reinstall it.` };
  }
  return { binary };
}

/** Makes sure a Unix binary has its executable bit (some unpackers drop it). */
function ensureExecutable(binary) {
  if (process.platform === "win32") return;
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(binary, 0o755);
    } catch {
      // spawn reports EACCES below
    }
  }
}

function run(host = { platform: process.platform, arch: process.arch }, args = process.argv.slice(2)) {
  const found = resolveBinary(host);
  if (found.error) {
    process.stderr.write(`${found.error}\n`);
    process.exit(2);
  }
  ensureExecutable(found.binary);
  const child = spawn(found.binary, args, { stdio: "inherit", windowsHide: true });

  // Pass termination signals on, so that `kill <this process>` also stops the binary. (A signal
  // from the terminal reaches both already; the binary ignores the second one.)
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].filter(
    (s) => process.platform !== "win32" || s === "SIGINT" || s === "SIGTERM",
  );
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of signals) process.on(s, forward);

  child.on("error", (err) => {
    process.stderr.write(`xsguard: cannot run ${found.binary}: ${err.message}\n`);
    process.exit(2);
  });
  child.on("exit", (code, signal) => {
    for (const s of signals) process.removeListener(s, forward);
    if (signal) {
      // Die of the same signal, so the caller sees what the binary saw.
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128 + (require("node:os").constants.signals[signal] ?? 1)), 500);
      return;
    }
    process.exit(code ?? 2);
  });
}

module.exports = { PACKAGES, platformKey, resolveBinary, run };

if (require.main === module) run();
