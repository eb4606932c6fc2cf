// The catalog home past its first rows, in real headless Chromium: the page
// holds 100 rows and fetches catalog-rows.json only when the reader
// filters, sorts or asks for more; counts and results then cover every
// document. Usage: node home.mjs BASE_URL CHROMIUM   (prints one JSON object)
import { launch } from "./chromium.mjs";

const [base, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [] };
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  const fetched = [];
  page.on("response", (r) => fetched.push(new URL(r.url()).pathname));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(base, { waitUntil: "networkidle0" });
  const state = () => page.evaluate(() => ({
    rows: document.querySelectorAll("#doc-table tbody tr").length,
    shown: document.getElementById("shown-count").textContent,
    first: (document.querySelector("#doc-table tbody tr a.doc-link") || {}).textContent,
    more: (() => { const b = document.querySelector(".show-more"); return b && !b.hidden ? b.textContent : null; })(),
    checked: [...document.querySelectorAll(".facet input:checked")].map((b) => b.name + "=" + b.value),
    tagValues: document.querySelectorAll('.facet[data-facet="tags"] input[type=checkbox]').length,
  }));
  const countOf = (facet, value) => page.evaluate((facet, value) => {
    const box = [...document.querySelectorAll(`.facet[data-facet="${facet}"] input`)].find((b) => b.value === value);
    return box ? box.closest("label").querySelector(".count").textContent : null;
  }, facet, value);
  result.initial = await state();
  result.rowsFetchedAtLoad = fetched.some((p) => p.endsWith("/catalog-rows.json"));

  // One facet: the rows are fetched, the count covers all documents.
  await page.evaluate(() => {
    [...document.querySelectorAll('.facet[data-facet="status"] input')].find((b) => b.value === "draft").click();
  });
  await page.waitForFunction(() => !document.querySelector(".catalog").hasAttribute("aria-busy")
    && document.getElementById("shown-count").textContent !== document.querySelector(".catalog").dataset.total, { timeout: 20000 });
  result.draft = await state();
  result.rowsFetched = fetched.filter((p) => p.endsWith("/catalog-rows.json")).length;
  result.t0WithDraft = await countOf("tags", "t0");
  result.t1WithDraft = await countOf("tags", "t1");
  result.t1Empty = await page.evaluate(() => [...document.querySelectorAll('.facet[data-facet="tags"] input')]
    .find((b) => b.value === "t1").closest("label").classList.contains("empty"));

  // No filter: the first 100 rows, and 100 more on request.
  await page.click(".clear-filters");
  result.cleared = await state();
  await page.click(".show-more");
  await page.waitForFunction(() => document.querySelectorAll("#doc-table tbody tr").length > 100, { timeout: 20000 });
  result.more = await state();

  // Sort by date, newest first (the second click sorts descending).
  await page.click('button.sort[data-sort="updated"]');
  await page.click('button.sort[data-sort="updated"]');
  await new Promise((r) => setTimeout(r, 50));
  result.newest = await state();
  result.newestDate = await page.$eval("#doc-table tbody tr time", (t) => t.textContent);

  // All values of a facet, then one that was not listed.
  await page.click('.facet[data-facet="tags"] .facet-all');
  await page.waitForFunction(() => !document.querySelector('.facet[data-facet="tags"] .facet-all'), { timeout: 20000 });
  result.allTags = await state();
  // The keyboard is in the facet's finder: "t2" leaves the tags holding it.
  result.finderFocused = await page.evaluate(() => document.activeElement.classList.contains("facet-find"));
  await page.keyboard.type("t2");
  result.foundTags = await page.$$eval('.facet[data-facet="tags"] label', (labels) =>
    labels.filter((l) => l.offsetHeight > 0).map((l) => l.querySelector("input").value));
  result.rowsFetchedAfter = fetched.filter((p) => p.endsWith("/catalog-rows.json")).length;

  // A link with a value the page does not list.
  const linked = await browser.newPage();
  linked.on("pageerror", (e) => result.errors.push(String(e)));
  await linked.goto(base + "?f.tags=t29", { waitUntil: "networkidle0" });
  await linked.waitForFunction(() => document.getElementById("shown-count").textContent !== document.querySelector(".catalog").dataset.total, { timeout: 20000 });
  result.rare = await linked.evaluate(() => ({
    shown: document.getElementById("shown-count").textContent,
    rows: [...document.querySelectorAll("#doc-table tbody tr a.doc-link")].map((a) => a.textContent),
    checked: [...document.querySelectorAll(".facet input:checked")].map((b) => b.value),
    stale: document.querySelectorAll("#doc-table .badge-stale").length,
  }));
  // On a phone the rows are cards that label their values, the rows built
  // from catalog-rows.json as much as the page's own.
  // (Switching to a mobile viewport reloads the page: wait for the filter
  // from the URL to apply again.)
  await linked.setViewport({ width: 390, height: 844, isMobile: true });
  await linked.waitForFunction(() => document.readyState === "complete"
    && document.getElementById("shown-count").textContent === "8", { timeout: 20000 });
  result.phoneLabels = await linked.evaluate(() => {
    const last = [...document.querySelectorAll("#doc-table tbody tr")].pop();
    return {
      title: last.querySelector("a.doc-link").textContent,
      labels: [...last.querySelectorAll("td")].filter((td) => getComputedStyle(td).display !== "none")
        .map((td) => getComputedStyle(td, "::before").content),
    };
  });

  // A tag with 250 documents: pages of 100, "Show more" appends the next.
  const tag = await browser.newPage();
  tag.on("pageerror", (e) => result.errors.push(String(e)));
  await tag.goto(base + "tags/common/", { waitUntil: "load" });
  const items = () => tag.evaluate(() => ({
    items: document.querySelectorAll(".doc-list > li").length,
    last: [...document.querySelectorAll(".doc-list > li > a")].pop().textContent,
    more: !!document.querySelector(".term-more"),
    count: document.querySelector(".term-pages > p").textContent,
  }));
  result.tagFirst = await items();
  for (let i = 0; i < 2; i++) {
    const before = (await items()).items;
    await tag.click(".term-more");
    await tag.waitForFunction((n) => document.querySelectorAll(".doc-list > li").length > n, { timeout: 20000 }, before);
  }
  result.tagAll = await items();
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
