import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { configurationAnswer, normalizeSeverity, serverSettings } from "../../src/settings";

describe("xsguard.severity", () => {
  test("valid overrides pass through, codes upper-cased and sorted", () => {
    const { severity, problems } = normalizeSeverity({ xs303: "Error", XS301: "off", " XS101 ": "info" });
    assert.deepEqual(severity, { XS101: "info", XS301: "off", XS303: "error" });
    assert.deepEqual(Object.keys(severity), ["XS101", "XS301", "XS303"]);
    assert.deepEqual(problems, []);
  });

  test("bad entries are dropped, each with a message", () => {
    const { severity, problems } = normalizeSeverity({ XS301: "loud", "no-swagger": "off", XS302: 3, XS101: "warning" });
    assert.deepEqual(severity, { XS101: "warning" });
    assert.equal(problems.length, 3);
    assert.match(problems.join("\n"), /XS301 must be one of off, info, warning, error/);
    assert.match(problems.join("\n"), /NO-SWAGGER" is not a rule code/);
  });

  test("not an object", () => {
    assert.deepEqual(normalizeSeverity(undefined), { severity: {}, problems: [] });
    assert.deepEqual(normalizeSeverity(null), { severity: {}, problems: [] });
    assert.equal(normalizeSeverity(["XS301"]).problems.length, 1);
    assert.equal(normalizeSeverity("off").problems.length, 1);
  });

  test("the server gets {severity: {...}} in initializationOptions and didChangeConfiguration", () => {
    assert.deepEqual(serverSettings({ XS301: "off" }), { severity: { XS301: "off" } });
    assert.deepEqual(serverSettings(undefined), { severity: {} });
  });

  test("workspace/configuration: the xsguard section in the same shape, other sections untouched", () => {
    const answer = configurationAnswer(
      [{ section: "xsguard" }, { section: "editor" }, {}],
      [{ path: "/x", severity: { XS301: "off" }, trace: { server: "off" } }, { tabSize: 2 }, undefined],
      { XS301: "off" },
    );
    assert.deepEqual(answer, [{ severity: { XS301: "off" } }, { tabSize: 2 }, null]);
  });
});
