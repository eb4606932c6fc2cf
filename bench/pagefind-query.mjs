// One query against Pagefind's CLI output over Hugo's site, in real
// headless Chromium: what a Starlight or Hugo user's readers fetch. The
// page (written into the output by bench/run) runs the query with
// Pagefind's JS API and loads the first ten results, as a results list
// does. bench/run counts the response bytes at its server.
// Usage: node bench/pagefind-query.mjs URL CHROMIUM WORD   (prints JSON)
import { launch } from "../tests/browser/chromium.mjs";

const [url, chromium, word] = process.argv.slice(2);
const browser = await launch(chromium);
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  await page.goto(`${url}portolan-bench-query.html?q=${encodeURIComponent(word)}`, { waitUntil: "load" });
  await page.waitForFunction(() => window.done);
  await page.waitForNetworkIdle({ idleTime: 500 });
  console.log(JSON.stringify(await page.evaluate(() => window.done)));
} finally {
  await browser.close();
}
