// Drives the inspector page in headless Chromium (playwright-core, the system's chromium):
// waits for the live map to draw `want` objects, moves the time slider to `t`, waits for the
// page to draw the graph of that time, takes a screenshot. Prints one JSON line of findings.
// usage: node inspect_page.js URL WANT_IDS(comma) T SCREENSHOT CHROMIUM [PANELS]
// PANELS "panels": also wait for a short-term entry and a plan in the side panels.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

async function drawn(page) {
  return page.$$eval("#map [data-id]", els => els.map(e => ({
    id: e.getAttribute("data-id"), cls: e.getAttribute("class"),
    confidence: e.getAttribute("data-confidence")})));
}

(async () => {
  const [url, want, t, shot, exe, panels] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: exe, headless: true,
                                          args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(url);
    const ids = want.split(",");
    await page.waitForFunction(ids => ids.every(i => document.querySelector(`#map [data-id="${i}"]`)),
                               ids, { timeout: 30000 });
    // The side panels fill from the same live state: wait for a short-term entry and a plan.
    if (panels === "panels")
      await page.waitForFunction(() => document.querySelectorAll("#stm tr").length > 1 &&
                                 document.querySelector("#plan ol"), null, { timeout: 30000 });
    else   // the ground-truth panel fills once the simulator's truth has answered a poll
      await page.waitForFunction(() => {
        const text = document.querySelector("#diffs").textContent;
        return text !== "-" && !text.startsWith("no ground truth");
      }, null, { timeout: 60000 });
    const live = await drawn(page);
    const truth = await page.$$eval("#map circle.truth", els => els.map(e => e.getAttribute("data-kind")));
    const updates = Number(await page.getAttribute("body", "data-updates"));
    const slider = await page.$eval("#time", s => ({ min: Number(s.min), max: Number(s.max) }));
    await page.locator("#time").fill(String(t));     // moves the slider, fires input and change
    const movedTo = Number(await page.$eval("#time", s => s.value));   // clamped to the span
    await page.waitForFunction(t => document.body.dataset.mode === "history" &&
                               Math.abs(Number(document.body.dataset.time) - t) < 1e-3, movedTo,
                               { timeout: 30000 });
    const past = await drawn(page);
    const label = await page.textContent("#mode");
    await page.screenshot({ path: shot });
    await page.click("#live");
    await page.waitForFunction(() => document.body.dataset.mode === "live", null, { timeout: 30000 });
    const back = await drawn(page);
    console.log(JSON.stringify({ live, past, back, slider, label, updates, truth, movedTo,
                                 diffs: await page.textContent("#diffs"),
                                 stm: await page.textContent("#stm"),
                                 plan: await page.textContent("#plan") }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
