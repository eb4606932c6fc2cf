// One query in real headless Chromium: the catalog's search page opened
// with `?q=`, until the results and their excerpts are shown. bench/run
// serves the output dir and counts every response body at the server
// (Pagefind fetches its index from a web worker, which this page's
// DevTools session would not see); this prints how many results showed.
// Usage: node bench/query.mjs URL CHROMIUM WORD [page|phone|dialog]
// (prints one JSON object). `page` is the search page 1280 px wide, its
// facets open (they load the filter index); `phone` is the same page
// 390 px wide, its facets folded (loaded only when unfolded); `dialog` is
// the search dialog every page opens with `/` (results only).
import { launch } from "../tests/browser/chromium.mjs";

const [url, chromium, word, mode = "page"] = process.argv.slice(2);
const browser = await launch(chromium);
const result = {};
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  await page.setViewport(mode === "phone"
    ? { width: 390, height: 844, isMobile: true, hasTouch: true }
    : { width: 1280, height: 900 });
  const list = mode === "dialog" ? "dialog.search-dialog li" : "#search-results li";
  if (mode === "dialog") {
    // A document page, as a reader searches from wherever they are.
    await page.goto(`${url}tags/`, { waitUntil: "networkidle0" });
    await page.keyboard.press("/");
    await page.waitForSelector("dialog.search-dialog[open]");
    await page.keyboard.type(word);
  } else {
    await page.goto(`${url}search/?q=${encodeURIComponent(word)}`, { waitUntil: "load" });
  }
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length > 0, {}, list);
  // Result fragments arrive after the list is first drawn.
  await page.waitForNetworkIdle({ idleTime: 500 });
  result.excerpts = await page.$$eval(".search-result-excerpt", (l) => l.filter((e) => e.textContent).length);
  result.results = await page.$$eval(list, (l) => l.length);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
