// One query in real headless Chromium: the catalog's search page opened
// with `?q=`, until the results and their excerpts are shown. bench/run
// serves the output dir and counts every response body at the server
// (Pagefind fetches its index from a web worker, which this page's
// DevTools session would not see); this prints how many results showed.
// Usage: node bench/query.mjs URL CHROMIUM WORD   (prints one JSON object)
import puppeteer from "puppeteer";

const [url, chromium, word] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chromium, headless: true, pipe: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const result = {};
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  await page.goto(`${url}search/?q=${encodeURIComponent(word)}`, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0);
  // Result fragments arrive after the list is first drawn.
  await page.waitForNetworkIdle({ idleTime: 500 });
  result.excerpts = await page.$$eval(".search-result-excerpt", (l) => l.filter((e) => e.textContent).length);
  result.results = await page.$$eval("#search-results li", (l) => l.length);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
