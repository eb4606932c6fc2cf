// Debian's headless Chromium through puppeteer, as every browser test
// starts it: over a pipe, so a killed test takes its browser with it, and
// without the sandbox, which cannot start as root.
import puppeteer from "puppeteer";

export function launch(chromium) {
  return puppeteer.launch({
    executablePath: chromium,
    headless: true,
    pipe: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
}
