// Bytes a browser fetches from the catalog home, counted in real headless
// Chromium (every response's body, as sent): to show the first screen, and
// then to apply one facet value.
// Usage: node bench/fetched.mjs URL CHROMIUM   (prints one JSON object)
import { launch } from "../tests/browser/chromium.mjs";

const [url, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = {};
try {
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  let bytes = 0;
  const files = {};
  const urls = {};
  cdp.on("Network.responseReceived", (e) => { urls[e.requestId] = new URL(e.response.url).pathname; });
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    files[urls[e.requestId]] = e.encodedDataLength;
  });
  await page.setViewport({ width: 1280, height: 900 });
  // A catalog home with every row inline (before) takes long to load.
  page.setDefaultTimeout(300000);
  await page.goto(url, { waitUntil: "networkidle0" });
  result.firstScreen = bytes;
  result.firstScreenFiles = { ...files };
  bytes = 0;
  await page.click('.facet input[type="checkbox"]');
  await page.waitForFunction(() => !document.querySelector(".catalog").hasAttribute("aria-busy"), { timeout: 60000 });
  await new Promise((r) => setTimeout(r, 500));
  result.oneFacet = bytes;
  result.shown = await page.$eval("#shown-count", (e) => e.textContent);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
