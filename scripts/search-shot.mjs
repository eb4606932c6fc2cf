// One screenshot of the search dialog, or of the search page (a URL under
// search/), once its results and their excerpts are shown, and on the page
// its open facets: a fixed virtual-time budget raced Pagefind and often
// caught the dialog before any result. Used by scripts/screenshots.sh.
// Usage: node scripts/search-shot.mjs URL CHROMIUM WIDTH HEIGHT light|dark OUT.png
import { launch } from "../tests/browser/chromium.mjs";

const [url, chromium, width, height, scheme, out] = process.argv.slice(2);
const browser = await launch(chromium);
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);
  await page.setViewport({ width: Number(width), height: Number(height) });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  await page.goto(url, { waitUntil: "load" });
  const results = new URL(url).pathname.endsWith("/search/") ? "#search-results" : "dialog.search-dialog";
  if (results !== "#search-results") await page.waitForSelector("dialog.search-dialog[open]");
  await page.waitForFunction((results) => {
    const excerpts = [...document.querySelectorAll(`${results} .search-result-excerpt`)];
    return excerpts.length > 0 && excerpts.every((e) => e.textContent.trim());
  }, {}, results);
  // Open facets fill in after the results, once their index is in.
  if (results === "#search-results") {
    await page.waitForFunction(() => !document.getElementById("search-filter-box").open
      || !document.getElementById("search-filters").textContent.startsWith("Loading"));
  }
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}
console.log(out);
