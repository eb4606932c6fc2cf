// Search in real headless Chromium: runs a list of checks against a built
// site served over HTTP and prints one JSON object with what it saw.
// Usage: node search.mjs BASE_URL CHROMIUM
import { launch } from "./chromium.mjs";

const [base, chromium, mode] = process.argv.slice(2);
const browser = await launch(chromium);
const out = { errors: [] };

async function search(page, query) {
  await page.goto(`${base}search/${query}`, { waitUntil: "networkidle0" });
  await page.waitForFunction(
    () => !/^Type to search/.test(document.getElementById("search-status").textContent),
    { timeout: 15000 },
  );
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll(".search-result-title")].map((a) => a.textContent),
    hrefs: [...document.querySelectorAll(".search-result-title")].map((a) => a.getAttribute("href")),
    marks: [...document.querySelectorAll(".search-result-excerpt mark")].map((m) => m.textContent),
    tags: [...document.querySelectorAll(".search-result-tags .tag")].map((t) => t.textContent),
    scripts: document.querySelectorAll("#search-results script, #search-results img").length,
    facets: [...document.querySelectorAll("#search-filters input")].map((i) => `${i.name}=${i.value}`),
  }));
}

try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => out.errors.push(e.message));
  if (mode === "hostile") {
    out.hostile = await search(page, "?q=alert");
    throw null;
  }
  out.bodyWord = await search(page, "?q=Logiport");
  out.broad = await search(page, "?q=integration");
  out.filtered = await search(page, "?q=integration&f.tags=payments");
  // The same narrowing through the UI: tick a facet box.
  await search(page, "?q=integration");
  const before = await page.$$eval(".search-result", (r) => r.length);
  await page.click('#search-filters input[name="tag"][value="payments"]');
  await page.waitForFunction((n) => document.querySelectorAll(".search-result").length < n, { timeout: 15000 }, before);
  out.clicked = {
    before,
    after: await page.$$eval(".search-result", (r) => r.length),
    url: page.url(),
  };
  out.none = await search(page, "?q=zyxwvutsnomatch");
  // An operation of a spec, found on the spec's page at its anchor.
  out.operation = await search(page, "?q=PostPaymentIntentsIntentCancel");
  // `/` from the home page opens the search dialog, focus in its box.
  await page.goto(base, { waitUntil: "networkidle0" });
  await page.keyboard.press("/");
  await page.waitForSelector("dialog.search-dialog[open]", { timeout: 15000 });
  out.slashFocus = await page.evaluate(() => document.activeElement && document.activeElement.id);
} catch (e) {
  if (e !== null) out.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
