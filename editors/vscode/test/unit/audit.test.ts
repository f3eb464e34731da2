import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { auditArgs, reportPath, webviewHtml } from "../../src/audit";

describe("audit command glue", () => {
  test("runs `xsguard audit <folder> --format html -o <file>`", () => {
    assert.deepEqual(auditArgs("/ws/app", "/tmp/r.html"), ["audit", "/ws/app", "--format", "html", "-o", "/tmp/r.html"]);
  });

  test("report file names tell folder and time apart", () => {
    const at = new Date("2026-11-27T20:15:30.123Z");
    assert.equal(reportPath("/tmp", "/ws/My App!", at), "/tmp/xsguard-audit-My-App-20261127T201530.html");
    assert.equal(reportPath("/tmp", "/", at), "/tmp/xsguard-audit-workspace-20261127T201530.html");
  });

  test("the webview gets a CSP that allows the report's inline style and script only", () => {
    const html = webviewHtml('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>x</body></html>');
    assert.ok(
      html.startsWith(
        '<!DOCTYPE html><html lang="en"><head>\n<meta http-equiv="Content-Security-Policy" ' +
          `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:;">` +
          '<meta charset="utf-8">',
      ),
      html,
    );
    assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<body>"));
    assert.match(webviewHtml("<p>bare</p>"), /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"[^>]*><\/head><body><p>bare<\/p>/);
  });
});
