// A wide mermaid diagram on a phone, in real headless Chromium: its text is
// never drawn below 12 px (the figure scrolls instead), and "Full size"
// shows it as mermaid drew it.
// Usage: node diagram-phone.mjs PAGE_URL CHROMIUM   (prints one JSON object)
import { launch } from "./chromium.mjs";

const [url, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [] };
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await page.goto(url, { waitUntil: "load" });
  const measure = () => page.evaluate(() => [...document.querySelectorAll("figure.diagram > svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox.baseVal;
    // The smallest text the diagram draws, in CSS pixels on screen.
    const scale = (box.width - 16) / view.width;
    const sizes = [...svg.querySelectorAll("text, span, div, p")]
      .filter((e) => e.textContent.trim())
      .map((e) => parseFloat(getComputedStyle(e).fontSize) * scale);
    return {
      width: box.width,
      natural: view.width,
      smallestText: Math.min(...sizes),
      scrolls: svg.parentElement.scrollWidth > svg.parentElement.clientWidth,
      button: !!svg.parentElement.querySelector(".diagram-size"),
    };
  }));
  result.fitted = await measure();
  result.pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await page.click("figure.diagram .diagram-size");
  result.full = await measure();
  result.pressed = await page.$eval("figure.diagram .diagram-size", (b) => b.getAttribute("aria-pressed"));
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
