// Loads an HTML report in headless Chromium (Debian's package) through playwright-core and fails
// on any console error or warning, uncaught page error or failed request; saves full-page
// screenshots at a phone and a desktop width.
//
//   node tests/browser/check-report.mjs REPORT.html [SCREENSHOT_DIR]
//   node tests/browser/check-report.mjs --self-test [DIR]   (a broken page must fail, a clean one pass)
//
// Chromium: $CHROMIUM, else /usr/bin/chromium.
import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const viewports = [
  ["phone", { width: 390, height: 844 }],
  ["desktop", { width: 1280, height: 900 }],
];

async function check(html, outDir) {
  if (!existsSync(html)) throw new Error(`${html}: no such file`);
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const problems = [];
  const shots = [];
  try {
    for (const [name, viewport] of viewports) {
      const page = await browser.newPage({ viewport });
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${name}: console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`${name}: request failed: ${r.url()} (${r.failure()?.errorText})`));
      const response = await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: "load" });
      if (response && !response.ok()) problems.push(`${name}: status ${response.status()}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > viewport.width + 1) problems.push(`${name}: page is ${width}px wide in a ${viewport.width}px viewport (horizontal scrolling)`);
      const shot = join(outDir, `${basename(html, ".html")}-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      if (statSync(shot).size < 1000) problems.push(`${name}: screenshot ${shot} is nearly empty`);
      shots.push(shot);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return { problems, shots };
}

async function selfTest(dir) {
  mkdirSync(dir, { recursive: true });
  const bad = join(dir, "broken.html");
  writeFileSync(bad, '<!doctype html><html><body><p>broken</p><img src="missing.png"><script>console.error("bad"); undefinedFunction();</script></body></html>');
  const good = join(dir, "clean.html");
  writeFileSync(good, '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>ok</title></head><body><h1>clean</h1></body></html>');
  const b = await check(bad, dir);
  const kinds = ["console error", "page error", "request failed"].filter((k) => b.problems.some((p) => p.includes(k)));
  if (kinds.length !== 3) throw new Error(`self-test: the broken page was not caught on every count (caught: ${kinds.join(", ") || "nothing"})`);
  const g = await check(good, dir);
  if (g.problems.length) throw new Error(`self-test: the clean page failed: ${g.problems.join("; ")}`);
  console.log("browser check self-test: console errors, page errors and failed requests are caught; a clean page passes");
}

const [arg, out] = process.argv.slice(2);
try {
  if (arg === "--self-test") {
    await selfTest(out || "target/browser-check/self-test");
  } else if (arg) {
    const { problems, shots } = await check(arg, out || "target/browser-check");
    if (problems.length) {
      console.error(`${arg}: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
      process.exit(1);
    }
    console.log(`${arg}: loaded without console errors; screenshots ${shots.join(", ")}`);
  } else {
    console.error("usage: node tests/browser/check-report.mjs REPORT.html [SCREENSHOT_DIR] | --self-test [DIR]");
    process.exit(2);
  }
} catch (e) {
  console.error(`browser check: ${e.message}`);
  process.exit(1);
}
