// Browser test of the counter page: starts `counter all` on free ports with a temporary
// DATA_DIR, validates its OpenAPI document against the official schema, then drives the page
// in Debian's headless Chromium: load, click POST, wait until the displayed count rises, and
// take a screenshot. Usage: COUNTER_BIN=path/to/counter node browser-test.mjs
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Validator } from "@seriousme/openapi-schema-validator";

const COUNTER_BIN = process.env.COUNTER_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT_MS = 60_000;

if (!COUNTER_BIN) {
  console.error("set COUNTER_BIN to the counter binary");
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), "counter-web-data-"));
const profileDir = mkdtempSync(join(tmpdir(), "counter-web-profile-"));
const screenshotDir = process.env.SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), "counter-web-shots-"));
let passed = 0;
let failed = 0;

function startCounter() {
  const child = spawn(COUNTER_BIN, ["all"], {
    env: {
      PATH: process.env.PATH,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      WEB_PORT: "0",
      DATA_DIR: dataDir,
      RUST_LOG: "info",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const urls = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`counter did not start:\n${log}`)), TIMEOUT_MS);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const api = log.match(/api listening on (http:\/\/\S+)/);
      const web = log.match(/web listening on (http:\/\/\S+)/);
      if (api && web) {
        clearTimeout(timer);
        resolve({ api: api[1], web: web[1] });
      }
    });
    child.on("exit", (code) => reject(new Error(`counter exited (${code}):\n${log}`)));
  });
  return { child, urls, log: () => log };
}

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}: ${err.stack || err}`);
  }
}

const counter = startCounter();
let context;
try {
  const { api, web } = await counter.urls;

  await check("OpenAPI document validates against the official schema", async () => {
    const document = await (await fetch(`${api}/openapi.json`)).json();
    const result = await new Validator().validate(document);
    if (!result.valid) throw new Error(JSON.stringify(result.errors, null, 2));
  });

  await check("page: click POST and see the count rise", async () => {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 900, height: 700 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = context.pages()[0] || (await context.newPage());
    const problems = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });

    await page.goto(web, { timeout: TIMEOUT_MS });
    const rowCount = page.getByTestId("row-count");
    await page.waitForFunction(
      () => /^\d+$/.test(document.getElementById("row-count").textContent),
      null,
      { timeout: TIMEOUT_MS },
    );
    const before = Number(await rowCount.textContent());

    await page.getByRole("button", { name: "POST" }).click();
    await page.waitForFunction(
      (n) => Number(document.getElementById("row-count").textContent) > n,
      before,
      { timeout: TIMEOUT_MS },
    );
    const after = Number(await rowCount.textContent());
    const last = Number(await page.getByTestId("last-value").textContent());
    const now = Math.floor(Date.now() / 1000);
    if (Math.abs(now - last) > 600) throw new Error(`latest value ${last} is not the current unix time`);
    const status = page.getByTestId("status");
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Stored"), null, {
      timeout: TIMEOUT_MS,
    });
    if (await status.evaluate((el) => el.classList.contains("error"))) {
      throw new Error(`page shows an error: ${await status.textContent()}`);
    }
    const shot = join(screenshotDir, "counter-page.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`     count ${before} -> ${after}, latest ${last}; screenshot ${shot}`);
    // Responsive: on a phone-sized viewport nothing overflows sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`page overflows a 360px viewport by ${overflow}px`);
    await page.screenshot({ path: join(screenshotDir, "counter-page-mobile.png"), fullPage: true });
    if (problems.length) throw new Error(problems.join("\n"));
  });

  await check("page: shows an error when the API is unreachable", async () => {
    const page = await context.newPage();
    // Same page, but config.json points at a port nothing listens on.
    await page.route("**/config.json", (route) =>
      route.fulfill({ contentType: "application/json", body: JSON.stringify({ apiUrl: "http://127.0.0.1:9" }) }),
    );
    await page.goto(web, { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => document.getElementById("status").classList.contains("error"), null, {
      timeout: TIMEOUT_MS,
    });
    const text = await page.getByTestId("status").textContent();
    if (!text.includes("Cannot reach the API")) throw new Error(`unexpected error text: ${text}`);
    await page.screenshot({ path: join(screenshotDir, "counter-page-error.png"), fullPage: true });
  });
} catch (err) {
  failed += 1;
  console.log(`FAIL setup: ${err.stack || err}`);
} finally {
  if (context) await context.close();
  counter.child.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
}

console.log(`screenshots in ${screenshotDir}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
