import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { binaryName, bundledPath, expandPath, findServer, isExecutableFile, searchPath, serverCommand } from "../../src/server";

const only = (...files: string[]) => (f: string) => files.includes(f);

describe("finding the server binary", () => {
  test("the bundled binary is used when xsguard.path is empty", () => {
    const found = findServer({
      configuredPath: "  ",
      extensionPath: "/ext",
      platform: "linux",
      env: { PATH: "/usr/bin" },
      isExecutable: only("/ext/server/xsguard", "/usr/bin/xsguard"),
    });
    assert.deepEqual(found, { ok: true, path: "/ext/server/xsguard", source: "bundle" });
  });

  test("xsguard.path overrides the bundled binary", () => {
    const found = findServer({
      configuredPath: "/opt/dev/xsguard",
      extensionPath: "/ext",
      platform: "linux",
      env: {},
      isExecutable: only("/ext/server/xsguard", "/opt/dev/xsguard"),
    });
    assert.deepEqual(found, { ok: true, path: "/opt/dev/xsguard", source: "setting" });
  });

  test("a wrong xsguard.path is an error that names the path, not a silent fallback", () => {
    const found = findServer({
      configuredPath: "~/bin/xsguard",
      extensionPath: "/ext",
      platform: "linux",
      env: { HOME: "/home/me" },
      isExecutable: only("/ext/server/xsguard"),
    });
    assert.equal(found.ok, false);
    assert.match(!found.ok ? found.message : "", /xsguard\.path.*\/home\/me\/bin\/xsguard.*not an executable/);
  });

  test("without a bundle the binary on PATH is used", () => {
    const found = findServer({
      extensionPath: "/ext",
      platform: "linux",
      env: { PATH: "/a::/b:/c" },
      isExecutable: only("/b/xsguard", "/c/xsguard"),
    });
    assert.deepEqual(found, { ok: true, path: "/b/xsguard", source: "path" });
  });

  test("nothing found: a message that says how to get the binary", () => {
    const found = findServer({ extensionPath: "/ext", platform: "darwin", env: { PATH: "/usr/bin" }, isExecutable: () => false });
    assert.equal(found.ok, false);
    const message = !found.ok ? found.message : "";
    assert.match(message, /no language server binary found/);
    assert.match(message, /cargo install/);
    assert.match(message, /xsguard\.path/);
  });

  test("Windows: xsguard.exe in the bundle, PATHEXT on PATH", () => {
    assert.equal(binaryName("win32"), "xsguard.exe");
    assert.match(bundledPath("C:\\ext", "win32"), /server.xsguard\.exe$/);
    const onPath = searchPath("xsguard", { Path: "C:\\tools;C:\\bin", PATHEXT: ".COM;.EXE" }, "win32", only("C:\\bin\\xsguard.exe"));
    assert.equal(onPath, "C:\\bin\\xsguard.exe");
  });

  test("paths: ~, ${workspaceFolder} and relative paths", () => {
    assert.equal(expandPath("~/x/xsguard", { HOME: "/h" }), "/h/x/xsguard");
    assert.equal(expandPath("${workspaceFolder}/bin/xsguard", {}, "/ws"), "/ws/bin/xsguard");
    assert.equal(expandPath("target/debug/xsguard", {}, "/ws"), "/ws/target/debug/xsguard");
    assert.equal(expandPath("/abs/xsguard", { HOME: "/h" }, "/ws"), "/abs/xsguard");
  });

  test("only executable files count", { skip: process.platform === "win32" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "xsguard-bin-"));
    const exe = join(dir, "xsguard");
    writeFileSync(exe, "#!/bin/sh\n");
    chmodSync(exe, 0o644);
    assert.equal(isExecutableFile(exe), false);
    chmodSync(exe, 0o755);
    assert.equal(isExecutableFile(exe), true);
    mkdirSync(join(dir, "folder"));
    assert.equal(isExecutableFile(join(dir, "folder")), false);
    assert.equal(isExecutableFile(join(dir, "missing")), false);
    const found = findServer({ extensionPath: dir.replace(/\/[^/]+$/, "/nowhere"), env: { PATH: dir } });
    assert.deepEqual(found, { ok: true, path: exe, source: "path" });
  });

  test("the server runs as `xsguard lsp` over stdio", () => {
    assert.deepEqual(serverCommand("/x/xsguard"), { command: "/x/xsguard", args: ["lsp"] });
  });
});
