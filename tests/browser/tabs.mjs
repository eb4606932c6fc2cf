// Hugo tabs in real headless Chromium: panels become tabs (ARIA roles,
// one panel shown), a choice is made in every group of that name and kept
// for later pages, arrow keys move between tabs, and a link to a heading
// in a hidden tab shows that tab.
// Usage: node tabs.mjs PAGE_URL CHROMIUM   (prints one JSON object)
import { launch } from "./chromium.mjs";

const [url, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [] };
const state = () => [...document.querySelectorAll(".tabs")].map((box) => ({
  tabbed: box.classList.contains("tabbed"),
  tabs: [...box.querySelectorAll(":scope > [role=tablist] > [role=tab]")].map((b) => ({
    name: b.textContent,
    selected: b.getAttribute("aria-selected"),
    tabIndex: b.tabIndex,
    controls: b.getAttribute("aria-controls"),
  })),
  shown: [...box.querySelectorAll(":scope > .tab-panel")].map((p) => !p.hidden && p.getBoundingClientRect().height > 0),
  labelledBy: [...box.querySelectorAll(":scope > .tab-panel")].map((p) => {
    const by = document.getElementById(p.getAttribute("aria-labelledby"));
    return p.getAttribute("role") === "tabpanel" && by ? by.textContent : null;
  }),
  labelsShown: [...box.querySelectorAll(".tab-label")].some((l) => l.getBoundingClientRect().height > 0),
}));
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") result.errors.push(m.text()); });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: "load" });
  result.loaded = await page.evaluate(state);
  // A click on the second tab of the first group.
  await page.click(".tabs [role=tab]:nth-child(2)");
  result.clicked = await page.evaluate(state);
  result.stored = await page.evaluate(() => localStorage.getItem("portolan-tab"));
  // Keys on the focused tab: right wraps to the first, End goes last.
  await page.focus(".tabs [role=tab][aria-selected=true]");
  await page.keyboard.press("ArrowRight");
  result.right = await page.evaluate(() => ({ focused: document.activeElement.textContent, state: null }));
  result.right.state = await page.evaluate(state);
  await page.keyboard.press("End");
  result.end = await page.evaluate(() => document.activeElement.textContent);
  // The choice holds on the next page: the last tab chosen.
  await page.reload({ waitUntil: "load" });
  result.reloaded = await page.evaluate(state);
  // A link to a heading in a hidden tab shows it.
  const hidden = await page.evaluate(() => {
    const h = [...document.querySelectorAll(".tab-panel[hidden] [id]")].find((e) => /^H[2-6]$/.test(e.tagName));
    return h ? h.id : null;
  });
  result.hiddenHeading = hidden;
  if (hidden) {
    await page.goto(url.split("#")[0] + "#" + hidden, { waitUntil: "load" });
    result.linked = await page.evaluate((id) => {
      const h = document.getElementById(id);
      return { visible: h.getBoundingClientRect().height > 0, panelHidden: h.closest(".tab-panel").hidden };
    }, hidden);
  }
  // A fragment that is no URI escape breaks nothing; no id is given twice.
  await page.goto(url.split("#")[0] + "#%E0%A4%A", { waitUntil: "load" });
  result.badHash = await page.evaluate(() => document.querySelectorAll(".tabs.tabbed").length);
  result.duplicateIds = await page.evaluate(() => {
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    return ids.filter((id, i) => ids.indexOf(id) !== i);
  });
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
