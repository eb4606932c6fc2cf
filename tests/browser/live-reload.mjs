// Live reload in real headless Chromium (puppeteer from the repository's
// node_modules, Debian's Chromium): open a served page, scroll, edit the
// document, and report whether the page reloaded with the new text and kept
// its scroll position. Usage: node live-reload.mjs URL FILE CHROMIUM
import fs from "node:fs";
import { launch } from "./chromium.mjs";

const [url, file, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 600 });
  await page.goto(url, { waitUntil: "load" });
  // The event stream is open once the server has said ": connected".
  await new Promise((r) => setTimeout(r, 500));
  await page.evaluate(() => window.scrollTo(0, 700));
  result.scrolledTo = await page.evaluate(() => window.scrollY);
  const navigation = page.waitForNavigation({ timeout: 15000, waitUntil: "load" });
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("First version.", "Second version."));
  await navigation;
  await new Promise((r) => setTimeout(r, 300));
  result.reloaded = true;
  result.hasNewText = (await page.content()).includes("Second version.");
  result.scrollAfter = await page.evaluate(() => window.scrollY);
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
