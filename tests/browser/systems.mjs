// The landscape pages in real headless Chromium: the systems table filters
// as one types, a system's map opens on that system on a phone and can be
// fitted to the screen, and every node and edge of the map is a link that
// goes somewhere.
// Usage: node systems.mjs BASE_URL CHROMIUM
import { launch } from "./chromium.mjs";

const [base, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const out = { errors: [] };

const visibleRows = (page) =>
  page.$$eval("#systems-table tbody tr", (rows) => rows.filter((r) => !r.hidden).length);

try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => out.errors.push(e.message));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${base}systems/`, { waitUntil: "networkidle0" });
  out.rows = await visibleRows(page);
  await page.type("#system-filter", "fulfil");
  out.fulfilment = await visibleRows(page);
  await page.click("#system-filter", { clickCount: 3 });
  await page.type("#system-filter", "payments external");
  out.paymentsExternal = await page.$$eval("#systems-table tbody tr", (rows) =>
    rows.filter((r) => !r.hidden).map((r) => r.querySelector("td a").textContent));
  // The fit button shows exactly when the map overflows its box.
  out.desktopFit = await page.evaluate(() => {
    const frame = document.querySelector(".map-scroll");
    const button = frame.previousElementSibling;
    return {
      isButton: button.matches("button.map-fit"),
      shown: button.checkVisibility(),
      overflows: frame.scrollWidth > frame.clientWidth + 1,
    };
  });
  out.mapLinks = await page.$$eval("svg.map a", (links) => links.map((a) => a.getAttribute("href")));
  out.smallestText = await page.$$eval("svg.map text", (texts) =>
    Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize))));
  // Clicking a box opens that system's page.
  await Promise.all([
    page.waitForNavigation({ waitUntil: "networkidle0" }),
    page.click('svg.map a[href$="systems/stripe/"] rect'),
  ]);
  out.clicked = { url: page.url(), h1: await page.$eval("h1", (h) => h.textContent) };

  // A phone: the neighbourhood map is wider than the screen and opens
  // scrolled so its system is in view.
  await page.setViewport({ width: 390, height: 844 });
  await page.goto(`${base}systems/payments/`, { waitUntil: "networkidle0" });
  out.phone = await page.evaluate(() => {
    const frame = document.querySelector(".map-scroll");
    const focus = frame.querySelector(".map-node.focus rect").getBoundingClientRect();
    const box = frame.getBoundingClientRect();
    return {
      scrollable: frame.scrollWidth > frame.clientWidth,
      scrollLeft: frame.scrollLeft,
      focusInView: focus.left >= box.left - 1 && focus.right <= box.right + 1,
      pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
  // Its fit button shows the whole map in the box, and puts it back.
  const fitState = () => page.evaluate(() => {
    const frame = document.querySelector(".map-scroll");
    const button = document.querySelector("button.map-fit");
    const svg = frame.querySelector("svg.map").getBoundingClientRect();
    const focus = frame.querySelector(".map-node.focus rect").getBoundingClientRect();
    const box = frame.getBoundingClientRect();
    return {
      shown: button.checkVisibility(),
      pressed: button.getAttribute("aria-pressed"),
      overflows: frame.scrollWidth > frame.clientWidth + 1,
      svgWidth: Math.round(svg.width),
      boxWidth: frame.clientWidth,
      focusInView: focus.left >= box.left - 1 && focus.right <= box.right + 1,
    };
  });
  out.fit = [await fitState()];
  await page.click("button.map-fit");
  out.fit.push(await fitState());
  await page.click("button.map-fit");
  out.fit.push(await fitState());
} catch (e) {
  out.errors.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
  console.log(JSON.stringify(out));
}
