// The "Run Audit on Workspace" command, minus the editor. No `vscode` import.
import * as path from "node:path";

/** `xsguard audit <folder> --format html -o <output>` */
export function auditArgs(folder: string, output: string): string[] {
  return ["audit", folder, "--format", "html", "-o", output];
}

/** A report file name in `tmpdir` that tells the folder and the time apart. */
export function reportPath(tmpdir: string, folder: string, now: Date = new Date()): string {
  const name = path.basename(folder).replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "workspace";
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return path.join(tmpdir, `xsguard-audit-${name}-${stamp}.html`);
}

/**
 * The report as webview content: the page is self-contained (inline style and a small inline
 * script that sorts tables), so a Content-Security-Policy allows exactly that and nothing else.
 */
export function webviewHtml(report: string): string {
  const csp =
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
    `style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:;">`;
  const head = /<head[^>]*>/i.exec(report);
  if (head) {
    const at = head.index + head[0].length;
    return report.slice(0, at) + "\n" + csp + report.slice(at);
  }
  return `<!DOCTYPE html><html><head>${csp}</head><body>${report}</body></html>`;
}
