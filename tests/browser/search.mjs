// Search in real headless Chromium: runs a list of checks against a built
// site served over HTTP and prints one JSON object with what it saw.
// Usage: node search.mjs BASE_URL CHROMIUM
import { launch } from "./chromium.mjs";

const [base, chromium, mode] = process.argv.slice(2);
const browser = await launch(chromium);
const out = { errors: [], console: [] };

// A page error fails a test. Console errors are only reported: Pagefind
// names there the chunk it could not load or decode, so a rare failure
// says which.
function watch(p) {
  p.on("pageerror", (e) => out.errors.push(e.message));
  p.on("console", (m) => {
    if (m.type() === "error" && out.console.length < 50) out.console.push(m.text().slice(0, 300));
  });
}

async function search(page, query) {
  await page.goto(`${base}search/${query}`, { waitUntil: "networkidle0" });
  await page.waitForFunction(
    () => !/^Type to search/.test(document.getElementById("search-status").textContent),
    { timeout: 15000 },
  );
  // The results do not wait for the filter index: open facets are drawn
  // when it is in.
  await page.waitForFunction(() => !document.getElementById("search-filter-box").open
    || !document.getElementById("search-filters").textContent.startsWith("Loading"), { timeout: 15000 });
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll(".search-result-title")].map((a) => a.textContent),
    hrefs: [...document.querySelectorAll(".search-result-title")].map((a) => a.getAttribute("href")),
    marks: [...document.querySelectorAll(".search-result-excerpt mark")].map((m) => m.textContent),
    tags: [...document.querySelectorAll(".search-result-tags .tag")].map((t) => t.textContent),
    scripts: document.querySelectorAll("#search-results script, #search-results img").length,
    facets: [...document.querySelectorAll("#search-filters input")].map((i) => `${i.name}=${i.value}`),
  }));
}

try {
  const page = await browser.newPage();
  watch(page);
  await page.setViewport({ width: 1280, height: 900 });
  if (mode === "hostile") {
    out.hostile = await search(page, "?q=alert");
    throw null;
  }
  if (mode === "no-filter-index") {
    // The filter index is missing: the phone's results still come, and
    // unfolding the facets leaves no "Loading filters…" behind.
    const phone = await browser.newPage();
    watch(phone);
    await phone.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await search(phone, "?q=integration");
    await phone.click("#search-filter-box summary");
    await phone.waitForNetworkIdle({ idleTime: 500, timeout: 15000 });
    await phone.waitForFunction(() => !document.getElementById("search-filters").textContent.startsWith("Loading"),
      { timeout: 15000 });
    const shown = (p) => p.evaluate(() => ({
      results: document.querySelectorAll(".search-result").length,
      facets: document.querySelectorAll("#search-filters input").length,
      status: document.getElementById("search-status").textContent,
      filters: document.getElementById("search-filters").textContent,
    }));
    out.unfolded = await shown(phone);
    // Wide, the facets are open from the start: the results still come,
    // and no "Loading filters…" is left behind.
    out.wide = await search(page, "?q=integration").then(() => shown(page));
    throw null;
  }
  if (mode === "many-values") {
    const tags = () => page.evaluate(() => {
      const set = [...document.querySelectorAll("#search-filters fieldset")]
        .find((f) => f.querySelector("legend").textContent === "Tags");
      const button = set && set.querySelector(".facet-all");
      const find = set && set.querySelector(".facet-find");
      const active = document.activeElement;
      return {
        values: set ? [...set.querySelectorAll("input[type=checkbox]")].map((i) => i.value) : [],
        shown: set ? [...set.querySelectorAll("label")].filter((l) => l.offsetHeight > 0)
          .map((l) => l.querySelector("input").value) : [],
        checked: set ? [...set.querySelectorAll("input:checked")].map((i) => i.value) : [],
        counts: set ? Object.fromEntries([...set.querySelectorAll("label")]
          .map((l) => [l.querySelector("input").value, l.querySelector(".count").textContent])) : {},
        // The row marked before a redraw: still there if drawn in place.
        kept: !!(set && set.querySelector("label[data-probe]")),
        button: button ? button.textContent : null,
        find: find ? find.value : null,
        focused: active && active.classList.contains("facet-find") ? "finder"
          : active && active.name === "tag" ? active.value : null,
      };
    });
    await search(page, "?q=text");
    out.top = await tags();
    await page.click("#search-filters .facet-all");
    await page.waitForFunction(() => !document.querySelector("#search-filters .facet-all"), { timeout: 15000 });
    out.all = await tags();
    // Typed into the finder (where the keyboard went), "t2" leaves t20-t29;
    // a box ticked from the keyboard keeps the keyboard as the results change.
    await page.keyboard.type("t2");
    out.found = await tags();
    const before = await page.$$eval(".search-result", (r) => r.length);
    await page.$eval('#search-filters input[value="t25"]', (box) => { box.closest("label").dataset.probe = "t25"; });
    await page.focus('#search-filters input[value="t21"]');
    await page.keyboard.press("Space");
    await page.waitForFunction((n) => document.querySelectorAll(".search-result").length !== n, { timeout: 15000 }, before);
    out.ticked = await tags();
    // A chosen value stays listed, with its box ticked, whatever its count.
    await search(page, "?q=alpha&f.tags=t25");
    out.chosen = await tags();
    throw null;
  }
  if (mode === "results-first") {
    // The server holds the filter index until `__release` is requested:
    // the results of a wide page come without it, and the facets after.
    const shown = () => page.evaluate(() => ({
      results: document.querySelectorAll(".search-result").length,
      status: document.getElementById("search-status").textContent,
      facets: document.getElementById("search-filters").textContent,
      counts: Object.fromEntries([...document.querySelectorAll("#search-filters label")]
        .map((l) => [l.querySelector("input").value, l.querySelector(".count").textContent])),
      // Marked before the facets came: the same list if not drawn again.
      kept: !!document.querySelector(".search-result[data-probe]"),
    }));
    await page.goto(`${base}search/?q=alpha`, { waitUntil: "load" });
    await page.waitForSelector(".search-result", { timeout: 15000 });
    out.before = await shown();
    await page.$eval(".search-result", (r) => { r.dataset.probe = "first"; });
    await page.evaluate((u) => fetch(u).then(() => {}, () => {}), `${base}__release`);
    await page.waitForSelector("#search-filters .count", { timeout: 15000 });
    out.after = await shown();
    throw null;
  }
  if (mode === "facets-on-demand") {
    // The server logs every request: a request for this marker tells the
    // test where each step's requests begin.
    const mark = (p, name) => p.evaluate((u) => fetch(u).then(() => {}, () => {}), `${base}__${name}`);
    const shown = (p) => p.evaluate(() => ({
      results: document.querySelectorAll(".search-result").length,
      facets: document.querySelectorAll("#search-filters input").length,
      counts: [...document.querySelectorAll("#search-filters .count")].map((c) => c.textContent),
    }));
    const phone = await browser.newPage();
    watch(phone);
    await phone.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await search(phone, "?q=integration");
    await phone.waitForNetworkIdle({ idleTime: 500, timeout: 15000 });
    out.folded = await shown(phone);
    await mark(phone, "unfold");
    await phone.click("#search-filter-box summary");
    await phone.waitForSelector("#search-filters input", { timeout: 15000 });
    await phone.waitForNetworkIdle({ idleTime: 500, timeout: 15000 });
    out.unfolded = await shown(phone);
    await mark(phone, "wide");
    // A fresh context: nothing the phone fetched is reused.
    const context = await browser.createBrowserContext();
    const wide = await context.newPage();
    watch(wide);
    await wide.setViewport({ width: 1280, height: 900 });
    await search(wide, "?q=integration");
    await wide.waitForNetworkIdle({ idleTime: 500, timeout: 15000 });
    out.wide = await shown(wide);
    throw null;
  }
  out.bodyWord = await search(page, "?q=Logiport");
  // A word only the home document's introduction holds.
  out.homeWord = await search(page, "?q=onboarding");
  // Typed on one page, a query asks again about the words before its last
  // (`searchBuckets` keeps what it learnt of them): it must find what the
  // same query finds on a fresh page.
  await search(page, "?q=integration");
  await page.evaluate(() => {
    const input = document.getElementById("search-input");
    input.value = "integration Logiport";
    input.dispatchEvent(new Event("input"));
  });
  await page.waitForFunction(() => document.getElementById("search-status").textContent.includes("Logiport"),
    { timeout: 15000 });
  out.typed = await page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll(".search-result-title")].map((a) => a.textContent),
  }));
  out.fresh = await search(page, "?q=integration%20Logiport");
  out.broad = await search(page, "?q=integration");
  out.filtered = await search(page, "?q=integration&f.tags=payments");
  // The same narrowing through the UI: tick a facet box.
  await search(page, "?q=integration");
  const before = await page.$$eval(".search-result", (r) => r.length);
  await page.click('#search-filters input[name="tag"][value="payments"]');
  await page.waitForFunction((n) => document.querySelectorAll(".search-result").length < n, { timeout: 15000 }, before);
  out.clicked = {
    before,
    after: await page.$$eval(".search-result", (r) => r.length),
    url: page.url(),
  };
  out.none = await search(page, "?q=zyxwvutsnomatch");
  // An operation of a spec, found on the spec's page at its anchor.
  out.operation = await search(page, "?q=PostPaymentIntentsIntentCancel");
  // `/` from the home page opens the search dialog, focus in its box.
  await page.goto(base, { waitUntil: "networkidle0" });
  await page.keyboard.press("/");
  await page.waitForSelector("dialog.search-dialog[open]", { timeout: 15000 });
  out.slashFocus = await page.evaluate(() => document.activeElement && document.activeElement.id);
  // Only a path on this site becomes a result link, whatever the index
  // says: browsers drop tabs and newlines and read "\\" as "/", so each of
  // these would otherwise reach another host or run script.
  out.sameSite = await page.evaluate(async (base) => {
    const { sameSite } = await import(`${base}static/search-core.js`);
    const hostile = ["//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/",
      "/\\evil.example/", "\\\\evil.example/", " //evil.example/", "javascript:alert(1)",
      "https://evil.example/", "data:text/html,x", "", null, 7];
    return { kept: sameSite("/integrations/payments/stripe-payments/#refunds"),
             refused: hostile.map((u) => sameSite(u)) };
  }, new URL(base).pathname);
  // A long agent name breaks between its words, never inside one: on the
  // search page (drawn by search.js) and on the home page (by the
  // template), at a width where it needs two lines.
  const nameBreaks = (p) => p.evaluate(() => {
    const box = [...document.querySelectorAll('input[value="POSIntegrationSpecialistAgent"]')][0];
    const name = box && box.parentElement.querySelector(".facet-value");
    if (!name) return null;
    const parts = [...name.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
    const lines = parts.map((t) => {
      const range = document.createRange();
      range.selectNodeContents(t);
      return range.getClientRects().length;
    });
    return { text: name.textContent, wbr: name.querySelectorAll("wbr").length, lines,
             height: Math.round(name.getBoundingClientRect().height) };
  });
  await page.setViewport({ width: 1280, height: 900 });
  await search(page, "?q=integration");
  out.breaks = { search: await nameBreaks(page) };
  await page.goto(base, { waitUntil: "networkidle0" });
  out.breaks.home = await nameBreaks(page);
  // On a phone the results come first: the filters fold away above them
  // unless a link chose some, and unfold from their summary.
  const phone = await browser.newPage();
  watch(phone);
  await phone.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  const fold = () => phone.evaluate(() => {
    const box = document.getElementById("search-filter-box");
    const first = document.querySelector(".search-result");
    const input = document.querySelector("#search-filters input");
    return {
      open: box.open,
      summary: box.querySelector("summary").textContent,
      summaryShown: box.querySelector("summary").getBoundingClientRect().height > 0,
      firstResultTop: first ? Math.round(first.getBoundingClientRect().top) : null,
      // Inside a closed <details> a box keeps its size but is not drawn
      // (content-visibility): only checkVisibility tells.
      facetShown: !!input && input.checkVisibility({ contentVisibilityAuto: true }),
    };
  });
  await search(phone, "?q=integration");
  out.phone = { folded: await fold() };
  await phone.click("#search-filter-box summary");
  // The facets are loaded when first unfolded.
  await phone.waitForSelector("#search-filters input", { timeout: 15000 });
  out.phone.unfolded = await fold();
  await search(phone, "?q=integration&f.tags=payments");
  out.phone.chosen = await fold();
  // Wide again, the filters stand beside the results, open.
  await phone.setViewport({ width: 1280, height: 900 });
  await search(phone, "?q=integration");
  out.phone.wide = await fold();
} catch (e) {
  if (e !== null) out.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
