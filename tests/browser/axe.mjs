// Accessibility in real headless Chromium: axe-core over every kind of page,
// in light and in dark mode, and the theme choice (light / dark / auto)
// applied before the first paint.
// Usage: node axe.mjs BASE_URL CHROMIUM PATH...   (prints one JSON object)
import { AxePuppeteer } from "@axe-core/puppeteer";
import { launch } from "./chromium.mjs";

const [base, chromium, ...paths] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [], pages: [] };
// What the page looks like once its scripts ran: the sidebar filled, search
// results shown, maps centred.
async function settle(page, path) {
  await page.waitForFunction(() => document.readyState === "complete", { timeout: 20000 });
  if (await page.$(".sidebar-tree")) {
    await page.waitForFunction(() => document.querySelector(".sidebar-tree ul") !== null, { timeout: 20000 });
  }
  if (path.startsWith("search/")) {
    await page.waitForFunction(() => document.querySelectorAll(".search-result").length > 0, { timeout: 30000 });
  }
}
try {
  for (const scheme of ["light", "dark"]) {
    const page = await browser.newPage();
    page.on("pageerror", (e) => result.errors.push(String(e)));
    await page.setViewport({ width: 1280, height: 900 });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    for (const path of paths) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      await settle(page, path);
      const axe = await new AxePuppeteer(page)
        .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
        .analyze();
      result.pages.push({
        path,
        scheme,
        status: response.status(),
        background: await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
        passes: axe.passes.length,
        violations: axe.violations.map((v) => ({
          id: v.id,
          help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
        })),
      });
    }
    // The search dialog, open with results, is a page of its own to axe.
    await page.goto(base, { waitUntil: "load" });
    await page.keyboard.down("Control");
    await page.keyboard.press("k");
    await page.keyboard.up("Control");
    await page.waitForSelector("dialog.search-dialog[open]", { timeout: 20000 });
    await page.keyboard.type("refund");
    await page.waitForFunction(() => document.querySelectorAll(".search-dialog [role=option]").length > 0, { timeout: 30000 });
    const dialog = await new AxePuppeteer(page).include(".search-dialog")
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
    result.pages.push({
      path: "(search dialog)", scheme, status: 200, passes: dialog.passes.length,
      violations: dialog.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })),
    });
    await page.close();
  }

  // The theme choice: on a light system, choose dark; it is remembered and
  // applied by the head script alone (portolan.js blocked), so it is there
  // at the first paint. Back to auto follows the system again.
  const page = await browser.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
  await page.goto(base, { waitUntil: "load" });
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  result.theme = { shown: await page.evaluate(() => !document.querySelector(".theme-choice").hidden) };
  result.theme.autoLight = await bg();
  await page.select("#theme-select", "dark");
  result.theme.chosenDark = await bg();
  const blocked = await browser.newPage();
  await blocked.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
  await blocked.setRequestInterception(true);
  blocked.on("request", (r) => (r.url().endsWith("/portolan.js") ? r.abort() : r.continue()));
  await blocked.goto(base + "tags/", { waitUntil: "domcontentloaded" });
  result.theme.reloadedWithoutScript = await blocked.evaluate(() => getComputedStyle(document.body).backgroundColor);
  result.theme.attribute = await blocked.evaluate(() => document.documentElement.dataset.theme || null);
  await blocked.close();
  await page.goto(base, { waitUntil: "load" });
  result.theme.selectShows = await page.$eval("#theme-select", (s) => s.value);
  await page.select("#theme-select", "auto");
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  result.theme.autoFollowsSystem = await bg();
  result.theme.stored = await page.evaluate(() => localStorage.getItem("portolan-theme"));
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
