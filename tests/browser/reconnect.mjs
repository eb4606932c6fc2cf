// Live reload across a server restart in real headless Chromium: open a
// served page, say "connected" on stdout, then wait while the test stops and
// restarts the server on the same port. The page must reload by itself once
// the new server answers, and reload again on the next edit.
// Usage: node reconnect.mjs URL FILE CHROMIUM
import fs from "node:fs";
import readline from "node:readline";
import { launch } from "./chromium.mjs";

const [url, file, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
const result = {};
try {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "load" });
  await new Promise((r) => setTimeout(r, 500));
  const restarted = page.waitForNavigation({ timeout: 30000, waitUntil: "load" });
  console.log("connected");
  // The test answers once the new server is listening.
  await nextLine();
  await restarted;
  result.reloadedAfterRestart = true;
  await new Promise((r) => setTimeout(r, 500));
  const edited = page.waitForNavigation({ timeout: 15000, waitUntil: "load" });
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("First version.", "Second version."));
  await edited;
  result.hasNewText = (await page.content()).includes("Second version.");
} catch (e) {
  result.error = String(e);
} finally {
  await browser.close();
  lines.close();
}
console.log(JSON.stringify(result));
