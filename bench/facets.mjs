// The search page's main-thread time per query in real headless Chromium,
// with its facets as they open (each its 20 most frequent values) and with
// the largest one expanded ("All N values": a large catalog's systems).
// Eight queries are typed one after another; Chrome's own task time
// (Performance.getMetrics TaskDuration) is read before and after, so the
// figure is what the page spends, not how long the wait for the index was.
// Usage: node bench/facets.mjs URL CHROMIUM (prints one JSON object).
import { launch } from "../tests/browser/chromium.mjs";

const [url, chromium] = process.argv.slice(2);
const WORDS = ["r", "re", "ret", "retr", "retry", "retry p", "retry pa", "retry pay"];
const browser = await launch(chromium);
const result = {};
try {
  for (const expand of [false, true]) {
    const page = await browser.newPage();
    page.setDefaultTimeout(120000);
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${url}search/`, { waitUntil: "load" });
    await page.waitForSelector("#search-filters fieldset");
    if (expand) {
      // The facet with the most values.
      const most = await page.$$eval("#search-filters .facet-all", (all) => {
        const n = (b) => Number(b.textContent.replace(/\D/g, ""));
        const i = all.reduce((best, b, j) => (n(b) > n(all[best]) ? j : best), 0);
        return all.length ? { i, values: n(all[i]) } : null;
      });
      if (!most) break; // no facet has more than 20 values
      result.values = most.values;
      await page.$$eval("#search-filters .facet-all", (all, i) => all[i].click(), most.i);
      await page.waitForFunction((n) => document.querySelectorAll("#search-filters label").length >= n, {}, most.values);
    }
    const cdp = await page.target().createCDPSession();
    await cdp.send("Performance.enable");
    const taskSeconds = async () =>
      (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
    const before = await taskSeconds();
    for (const word of WORDS) {
      await page.evaluate((w) => {
        const input = document.getElementById("search-input");
        input.value = w;
        input.dispatchEvent(new Event("input"));
      }, word);
      await page.waitForFunction((w) => document.getElementById("search-status").textContent.includes(`“${w}”`), {}, word);
      await page.waitForNetworkIdle({ idleTime: 300 });
    }
    result[expand ? "expanded" : "top"] = Math.round(((await taskSeconds()) - before) * 1000 / WORDS.length);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
