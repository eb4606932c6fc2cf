// Tables wider than the page's column, in real headless Chromium: each
// scrolls inside its box, and a shadow at an edge shows exactly when there
// is more of the table that way. Measured in the pixels Chromium paints
// (a screenshot of each table box), at 1280 and 390 px, light and dark.
// Usage: node wide-tables.mjs PAGE_URL CHROMIUM   (prints one JSON object)
import { launch } from "./chromium.mjs";

const [url, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [], views: [] };

// How much darker than the box's own colour the column of pixels `x` px
// from its left is, as the median over the table's body rows (text or a
// row's border crosses a column now and then; the median ignores them).
async function shades(page, index) {
  const box = await page.evaluate((i) => {
    const wrap = document.querySelectorAll(".doc-body .table-wrap")[i];
    wrap.scrollIntoView({ block: "center" });
    const r = wrap.getBoundingClientRect();
    const head = wrap.querySelector("thead");
    const top = head ? head.getBoundingClientRect().bottom : r.top;
    // A screenshot's clip is in page coordinates, not the viewport's.
    return {
      x: r.left + window.scrollX,
      y: top + 1 + window.scrollY,
      width: r.width,
      height: r.bottom - top - 2,
      cover: getComputedStyle(wrap).backgroundColor,
    };
  }, index);
  const png = await page.screenshot({ clip: { x: box.x, y: box.y, width: box.width, height: box.height }, encoding: "base64" });
  return page.evaluate(async (png, cover, at) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const [r0, g0, b0] = cover.match(/\d+/g).map(Number);
    const lum = (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const base = lum(r0, g0, b0);
    const scale = img.width / at.width;
    const column = (x) => {
      const data = ctx.getImageData(Math.round(x * scale), 0, 1, img.height).data;
      const diffs = [];
      for (let k = 0; k < data.length; k += 4) diffs.push(Math.abs(base - lum(data[k], data[k + 1], data[k + 2])));
      diffs.sort((a, b) => a - b);
      return diffs[Math.floor(diffs.length / 2)];
    };
    return { left: column(3), right: column(at.width - 4) };
  }, png, box.cover, box);
}

try {
  for (const width of [1280, 390]) {
    for (const scheme of ["light", "dark"]) {
      const page = await browser.newPage();
      page.on("pageerror", (e) => result.errors.push(String(e)));
      await page.setViewport({ width, height: 900 });
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await page.goto(url, { waitUntil: "load" });
      const tables = await page.$$eval(".doc-body .table-wrap", (wraps) => wraps.map((w) => ({
        overflows: w.scrollWidth > w.clientWidth + 1,
        inCallout: !!w.closest(".callout"),
        cover: getComputedStyle(w).backgroundColor,
        // The colour the box sits on: its nearest painted ancestor's.
        around: (() => {
          for (let e = w.parentElement; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
          }
          return getComputedStyle(document.documentElement).backgroundColor;
        })(),
        focusable: w.tabIndex === 0,
      })));
      for (const [i, t] of tables.entries()) {
        t.start = await shades(page, i);
        // The far end: the shadow moves to the other edge.
        await page.evaluate((k) => {
          const w = document.querySelectorAll(".doc-body .table-wrap")[k];
          w.scrollLeft = w.scrollWidth;
        }, i);
        t.end = await shades(page, i);
      }
      const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      result.views.push({ width, scheme, pageOverflow, tables });
      await page.close();
    }
  }
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
