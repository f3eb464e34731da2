// The HTML audit report in headless Chromium, on examples/ and on a generated app of 324
// endpoints (plus any folders in XSGUARD_AUDIT_APPS, separated by ":"):
// - at 1280x800 and 1920x1080 the verdict and every "Fix first" line are on the first screen;
// - nothing scrolls sideways, folded or unfolded;
// - each inventory filter changes the rows shown, and sorting reorders them;
// - a ticked checklist item is still ticked after a reload;
// - `--print-to-pdf` gives pages whose tables fit the paper (pdftoppm renders them to PNG and
//   the right margin of every page must stay blank);
// - no console errors.
// XSGUARD_BIN names the binary (default target/debug/xsguard); XSGUARD_UPDATE_SCREENSHOTS=1
// rewrites docs/audit-first-screen-*.png from examples/; XSGUARD_AUDIT_KEEP=1 keeps the pages,
// PDFs and page images it made.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const bin = resolve(repo, process.env.XSGUARD_BIN || "target/debug/xsguard");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "xsguard-audit-browser-"));
const sizes = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

// The page as `xsguard audit APP --format html` prints it (so the command in its header is
// the one a user types), with a fixed date.
function report(app, name) {
  const out = join(work, `${name}.html`);
  const html = execFileSync(bin, ["audit", app, "--format", "html"], {
    cwd: repo,
    env: { ...process.env, SOURCE_DATE_EPOCH: "1796700000" },
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(out, html);
  return out;
}

const apps = [
  { name: "examples", dir: "examples", screenshots: true },
  { name: "generated", dir: join(work, "generated-app") },
  ...(process.env.XSGUARD_AUDIT_APPS || "")
    .split(":")
    .filter(Boolean)
    .map((dir, i) => ({ name: `extra-${i + 1}`, dir })),
];
execFileSync("node", [join(here, "generate-app.mjs"), apps[1].dir, "36"], { stdio: "inherit" });

const browser = await chromium.launch({
  executablePath: browserPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const app of apps) {
    const page_file = report(app.dir, app.name);
    const url = "file://" + page_file;
    for (const size of sizes) {
      const label = `${app.name} ${size.width}x${size.height}`;
      const context = await browser.newContext({ viewport: size });
      const page = await context.newPage();
      const errors = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(url);

      const firstScreen = await page.evaluate(() => {
        const bottom = (sel) => {
          const els = document.querySelectorAll(sel);
          if (!els.length) return null;
          return Math.max(...Array.from(els, (e) => e.getBoundingClientRect().bottom));
        };
        return {
          verdict: bottom("#verdict .headline"),
          counts: bottom("#verdict .counts"),
          top: bottom("ol.top li"),
          lines: document.querySelectorAll("ol.top li").length,
          height: window.innerHeight,
        };
      });
      check(firstScreen.verdict !== null && firstScreen.verdict <= size.height, `${label}: verdict on the first screen (bottom ${firstScreen.verdict})`);
      check(firstScreen.top === null || firstScreen.top <= size.height, `${label}: all ${firstScreen.lines} "Fix first" lines on the first screen (bottom ${firstScreen.top} of ${size.height})`);

      const overflow = () => page.evaluate(() => {
        const doc = document.documentElement;
        const wide = [];
        document.querySelectorAll("body *").forEach((e) => {
          const r = e.getBoundingClientRect();
          if (r.width && r.right > doc.clientWidth + 1 && getComputedStyle(e).position !== "fixed") wide.push(e.tagName + "." + e.className);
        });
        return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5) };
      });
      let o = await overflow();
      check(o.scroll <= o.client, `${label}: no horizontal overflow, folded (${o.scroll} <= ${o.client})${o.scroll > o.client ? " " + o.wide.join(" ") : ""}`);
      if (app.screenshots) {
        const shot = process.env.XSGUARD_UPDATE_SCREENSHOTS === "1"
          ? join(repo, "docs", `audit-first-screen-${size.width}.png`)
          : join(work, `${app.name}-${size.width}.png`);
        await page.screenshot({ path: shot });
        console.log(`     screenshot ${shot}`);
      }
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
      o = await overflow();
      check(o.scroll <= o.client, `${label}: no horizontal overflow, everything unfolded (${o.scroll} <= ${o.client})${o.scroll > o.client ? " " + o.wide.join(" ") : ""}`);
      if (!app.screenshots && size.width === 1280) {
        await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = false; }));
        await page.screenshot({ path: join(work, `${app.name}-${size.width}.png`) });
        console.log(`     screenshot ${join(work, `${app.name}-${size.width}.png`)}`);
      }

      if (size.width === 1280) {
        const rows = () => page.evaluate(() => Array.from(document.querySelectorAll("#endpoints tbody tr")).filter((r) => !r.hidden).length);
        const total = await rows();
        const filtersChange = async (what, set, unset) => {
          await set();
          const n = await rows();
          await unset();
          const back = await rows();
          check(n < total && back === total, `${label}: filter "${what}" shows ${n} of ${total} rows, and all again when cleared`);
        };
        await page.evaluate(() => { document.getElementById("inventory-endpoints").open = true; });
        await filtersChange("no auth", () => page.check("#endpoint-filters input[name=public]"), () => page.uncheck("#endpoint-filters input[name=public]"));
        await filtersChange("writes", () => page.check("#endpoint-filters input[name=writes]"), () => page.uncheck("#endpoint-filters input[name=writes]"));
        if (await page.locator("#endpoints tr[data-ghost='1']").count()) {
          await filtersChange("generated CRUD", () => page.check("#endpoint-filters input[name=ghost]"), () => page.uncheck("#endpoint-filters input[name=ghost]"));
        }
        const group = await page.evaluate(() => document.querySelector("#endpoint-filters select[name=group] option:nth-child(2)")?.value);
        await filtersChange(`api group ${group}`, () => page.selectOption("#endpoint-filters select[name=group]", group), () => page.selectOption("#endpoint-filters select[name=group]", ""));
        await filtersChange("verb DELETE", () => page.selectOption("#endpoint-filters select[name=verb]", "DELETE"), () => page.selectOption("#endpoint-filters select[name=verb]", ""));
        await filtersChange("text", () => page.fill("#endpoint-filters input[name=q]", "{"), () => page.fill("#endpoint-filters input[name=q]", ""));
        const firstPath = () => page.evaluate(() => document.querySelector("#endpoints tbody tr td:nth-child(2)").textContent);
        const before = await firstPath();
        await page.click("#endpoints thead th:nth-child(2)");
        await page.click("#endpoints thead th:nth-child(2)");
        check((await firstPath()) !== before, `${label}: sorting by path reorders the rows`);
        const sticky = await page.evaluate(() => getComputedStyle(document.querySelector("#endpoints thead th")).position);
        check(sticky === "sticky", `${label}: the inventory header is sticky`);

        const box = "#checklist input[value=backup]";
        await page.check(box);
        await page.reload();
        const kept = await page.isChecked(box);
        const progress = await page.textContent("#checklist-progress");
        check(kept && progress.startsWith("1 of"), `${label}: a ticked checklist item survives a reload (${progress})`);
        await page.uncheck(box);

        const link = page.locator("ol.top a").first();
        if (await link.count()) {
          const target = (await link.getAttribute("href")).slice(1);
          await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = false; }));
          await link.click();
          const opened = await page.evaluate((id) => {
            const t = document.getElementById(id);
            const rule = t && t.closest("details.rule");
            const r = t && t.getBoundingClientRect();
            return !!rule && rule.open && r.top >= -1 && r.top < window.innerHeight;
          }, target);
          check(opened, `${label}: a "Fix first" line opens its finding and scrolls to it`);
        }
      }
      check(errors.length === 0, `${label}: no console errors ${errors.join(" | ")}`);
      await context.close();
    }

    // Paper: every table within the page's width in print media, then the PDF itself.
    const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.emulateMedia({ media: "print" });
    const clipped = await page.evaluate(() => {
      const bad = [];
      document.querySelectorAll("table, pre").forEach((t) => {
        if (t.getBoundingClientRect().right > document.documentElement.clientWidth + 1) bad.push(t.tagName + "#" + t.id);
      });
      document.querySelectorAll("td, th").forEach((c) => {
        if (c.scrollWidth > c.clientWidth + 1) bad.push("cell " + c.textContent.slice(0, 40));
      });
      return bad;
    });
    check(clipped.length === 0, `${app.name} print: no table or cell wider than the paper ${clipped.slice(0, 3).join(" | ")}`);
    await context.close();

    const pdf = join(work, `${app.name}.pdf`);
    execFileSync(browserPath, [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
      `--user-data-dir=${join(work, "profile-" + app.name)}`, `--print-to-pdf=${pdf}`, url,
    ], { stdio: "ignore" });
    const prefix = join(work, `${app.name}-page`);
    execFileSync("pdftoppm", ["-r", "40", "-png", pdf, prefix]);
    const pages = readdirSync(work).filter((f) => f.startsWith(`${app.name}-page`) && f.endsWith(".png")).sort();
    const margins = pages.map((f) => blankRightMargin(readPng(join(work, f))));
    check(pages.length >= 2, `${app.name} PDF: ${pages.length} pages rendered to PNG (${prefix}-*.png)`);
    check(margins.every(Boolean), `${app.name} PDF: nothing crosses the right margin of any page (${margins.filter((m) => !m).length} pages do)`);
    const text = readFileSync(pdf).length;
    check(text > 10_000, `${app.name} PDF: ${text} bytes`);
  }
} finally {
  await browser.close();
}
// The pages, PDFs and page images stay for a look when something failed (or when asked).
const keep = failures.length > 0 || process.env.XSGUARD_AUDIT_KEEP === "1";
if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`\n${failures.length ? failures.length + " checks failed" : "all checks passed"}${keep ? ` (work files in ${work})` : ""}`);
process.exit(failures.length ? 1 : 0);

// The last 3.5% of a page's width is inside Chrome's default print margin: any dark pixel
// there is content that did not fit the paper.
function blankRightMargin({ width, height, pixel }) {
  const from = Math.floor(width * 0.965);
  for (let y = 0; y < height; y++) {
    for (let x = from; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      if (r + g + b < 600) return false;
    }
  }
  return true;
}

// An 8-bit, non-interlaced PNG as pdftoppm writes it (RGB or RGBA).
function readPng(path) {
  const data = readFileSync(path);
  let offset = 8;
  let width = 0, height = 0, channels = 3;
  const idat = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString("ascii", offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      channels = { 2: 3, 6: 4, 0: 1, 4: 2 }[body[9]];
    } else if (type === "IDAT") idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 255;
    }
  }
  const pixel = (x, y) => {
    const i = y * stride + x * channels;
    return channels >= 3 ? [pixels[i], pixels[i + 1], pixels[i + 2]] : [pixels[i], pixels[i], pixels[i]];
  };
  return { width, height, pixel };
}
