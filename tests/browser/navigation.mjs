// Navigation in real headless Chromium: the sidebar (fetched once from
// sidebar.json) marks the current page and opens its group, other groups
// fill when opened, a folder page lists its documents, and on a phone the
// sidebar and the table of contents fold behind buttons.
// Usage: node navigation.mjs BASE_URL CHROMIUM   (prints one JSON object)
import { launch } from "./chromium.mjs";

const [base, chromium] = process.argv.slice(2);
const browser = await launch(chromium);
const result = { errors: [] };
const settle = (page) => page.waitForFunction(
  () => document.querySelector(".sidebar-tree ul") !== null, { timeout: 20000 });
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => result.errors.push(String(e)));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(base + "payments/stripe-payments/", { waitUntil: "load" });
  await settle(page);
  result.desktop = await page.evaluate(() => {
    const tree = document.querySelector(".sidebar-tree");
    const current = tree.querySelector("[aria-current=page]");
    const openGroups = [...tree.querySelectorAll("details[open] > summary")].map((s) => s.textContent);
    const closed = [...tree.querySelectorAll("details:not([open])")];
    return {
      current: current && current.textContent,
      currentHref: current && current.getAttribute("href"),
      openGroups,
      closedGroups: closed.map((d) => d.querySelector("summary").textContent),
      linksInClosed: closed.reduce((n, d) => n + d.querySelectorAll("a").length, 0),
      toggleShown: getComputedStyle(document.querySelector(".sidebar-toggle")).display !== "none",
      treeShown: tree.getBoundingClientRect().height > 0,
      crumbs: [...document.querySelectorAll(".breadcrumbs li")].map((li) => li.textContent),
      prev: document.querySelector(".pager-prev") && document.querySelector(".pager-prev").getAttribute("href"),
    };
  });
  // Opening another group fills it on demand.
  await page.evaluate(() => {
    const crm = [...document.querySelectorAll(".sidebar-tree summary")].find((s) => s.textContent === "CRM");
    crm.click();
  });
  await new Promise((r) => setTimeout(r, 100));
  result.opened = await page.evaluate(() => {
    const crm = [...document.querySelectorAll(".sidebar-tree summary")].find((s) => s.textContent === "CRM");
    return [...crm.parentElement.querySelectorAll("a")].map((a) => a.textContent);
  });

  // A folder page (no front page of its own) lists its documents.
  await page.goto(base + "crm/", { waitUntil: "load" });
  await settle(page);
  result.folder = await page.evaluate(() => ({
    title: document.querySelector("h1").textContent,
    listed: [...document.querySelectorAll(".folder-listing a")].map((a) => a.textContent),
    current: (document.querySelector(".sidebar-tree [aria-current=page]") || {}).textContent,
  }));

  // A phone: both fold; the body starts within the first screen.
  const phone = await browser.newPage();
  phone.on("pageerror", (e) => result.errors.push(String(e)));
  await phone.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await phone.goto(base + "payments/stripe-payments/", { waitUntil: "load" });
  await settle(phone);
  const state = () => phone.evaluate(() => {
    const shown = (el) => !!el && el.getBoundingClientRect().height > 0;
    const firstSection = document.querySelector(".doc-body h2");
    return {
      menuShown: shown(document.querySelector(".sidebar-toggle")),
      treeShown: shown(document.querySelector(".sidebar-tree")),
      tocShown: shown(document.querySelector("#toc-list")),
      menuExpanded: document.querySelector(".sidebar-toggle").getAttribute("aria-expanded"),
      bodyTop: firstSection.getBoundingClientRect().top,
      overflow: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
  result.phoneBefore = await state();
  await phone.click(".sidebar-toggle");
  await phone.click(".toc-toggle");
  result.phoneAfter = await state();

  // The search dialog: Ctrl-K opens it, typing shows results, ArrowDown +
  // Enter opens the second one; Esc closes it and focus comes back.
  const s = await browser.newPage();
  s.on("pageerror", (e) => result.errors.push(String(e)));
  await s.setViewport({ width: 1280, height: 900 });
  await s.goto(base + "crm/hubspot-marketing/", { waitUntil: "load" });
  const results = () => s.evaluate(() => [...document.querySelectorAll(".search-dialog-results a")]
    .map((a) => ({ href: a.getAttribute("href"), title: a.querySelector(".search-result-title").textContent,
                   excerpt: a.querySelector(".search-result-excerpt").textContent })));
  // Results for exactly this query: typing slowed by a busy machine can
  // show a shorter query's results first.
  const waitResults = (query) => s.waitForFunction(
    (q) => document.querySelector(".search-dialog-results")?.dataset.query === q
      && document.querySelectorAll(".search-dialog-results a").length > 0,
    { timeout: 20000 }, query);
  await s.focus(".pager a, .doc-links a");
  result.focusedBefore = await s.evaluate(() => document.activeElement.textContent);
  await s.keyboard.down("Control");
  await s.keyboard.press("k");
  await s.keyboard.up("Control");
  await s.waitForSelector("dialog.search-dialog[open]", { timeout: 20000 });
  result.dialogFocus = await s.evaluate(() => document.activeElement.id);
  await s.keyboard.type("refund");
  await waitResults("refund");
  const refund = await results();
  result.refund = refund;
  // Tab stays inside the modal dialog.
  await s.keyboard.press("Tab");
  result.tabInside = await s.evaluate(() => !!document.activeElement.closest("dialog"));
  await s.focus("#search-dialog-input");
  await s.keyboard.press("Escape");
  result.closed = await s.evaluate(() => !document.querySelector("dialog.search-dialog[open]"));
  result.focusedAfter = await s.evaluate(() => document.activeElement.textContent);
  // `/` opens it again; the previous query is kept for a second try.
  await s.keyboard.press("/");
  await s.waitForSelector("dialog.search-dialog[open]", { timeout: 20000 });
  await waitResults("refund");
  await s.keyboard.press("ArrowDown");
  result.selected = await s.evaluate(() => document.querySelector(".search-dialog-results a[aria-selected=true]").getAttribute("href"));
  await Promise.all([s.waitForNavigation({ timeout: 20000 }), s.keyboard.press("Enter")]);
  result.navigatedTo = new URL(s.url()).pathname + new URL(s.url()).hash;

  // ?q= on a document page opens the dialog with results; an id ranks its
  // document first; excerpts read as text.
  await s.goto(base + "payments/stripe-payments/?q=INT-002", { waitUntil: "load" });
  await s.waitForSelector("dialog.search-dialog[open]", { timeout: 20000 });
  await waitResults("INT-002");
  result.byId = await results();
  await s.goto(base + "payments/stripe-payments/?q=webhook", { waitUntil: "load" });
  await waitResults("webhook");
  result.webhook = await results();
} catch (e) {
  result.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
