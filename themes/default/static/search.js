// portolan search page: Pagefind's index (pagefind/pagefind.js, fetched in
// chunks as a query needs them), with facet filters and ?q= in the URL.
import { breakable, pagefind as loadPagefind, resultParts, unavailable } from "./search-core.js";
const base = document.body.dataset.basePath || "/";
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const filterBox = document.getElementById("search-filters");
const filterFold = document.getElementById("search-filter-box");
// Pagefind's filter name, the URL parameter (the catalog's, so a link
// with f.tags=payments filters both pages alike), the label.
const FACETS = [
  ["tag", "tags", "Tags"], ["agent", "agents", "Agents"], ["system", "systems", "System"],
  ["status", "status", "Status"], ["type", "type", "Type"], ["service", "service", "Service"],
  ["protocol", "protocol", "Protocol"], ["direction", "direction", "Direction"],
];

let pagefind;
try {
  pagefind = await loadPagefind(base);
} catch (e) {
  status.textContent = unavailable();
  throw e;
}

// The filter index: searches report facet counts only once it is loaded.
// It holds every page of every facet (on a large catalog more than the
// query's own chunks), so it is loaded only when the facets can be seen
// (not while they are folded away on a narrow screen), and the results
// never wait for it: the facets are drawn when it is in.
let facetIndex = null;
let facetsLoaded = false;
function loadFacets() {
  if (!facetIndex) {
    if (!filterBox.firstChild) filterBox.textContent = "Loading filters…";
    facetIndex = pagefind.filters().then((totals) => {
      // Every document page has a type, so an index without a single
      // value did not load: Pagefind answers a failed filter file with
      // nothing rather than an error.
      if (!Object.values(totals || {}).some((values) => Object.keys(values).length)) {
        throw new Error("the filter index did not load");
      }
      facetsLoaded = true;
      // Should this search fail, the next query draws the facets.
      refreshFacets(totals).catch(() => {});
      return totals;
    }).catch((e) => {
      facetIndex = null;
      filterBox.textContent = "The filters could not be loaded.";
      throw e;
    });
  }
  return facetIndex;
}

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
const selected = {};
for (const [key, param] of FACETS) selected[key] = new Set(params.getAll(`f.${param}`));

// On a narrow screen the filters stand above the results: folded, so the
// results come first, unless a link chose some. Wide, they stand beside
// the results with nothing to unfold (the summary is hidden).
const narrow = matchMedia("(max-width: 860px)");
function foldFilters() {
  const chosen = FACETS.reduce((n, [key]) => n + selected[key].size, 0);
  filterFold.open = !narrow.matches || chosen > 0;
  filterFold.querySelector("summary").textContent = chosen ? `Filters (${chosen} chosen)` : "Filters";
}
foldFilters();
narrow.addEventListener("change", foldFilters);
// Unfolded (by the reader, or by a wider screen) before the facets were
// loaded: load them, and with them the counts for the query shown.
filterFold.addEventListener("toggle", () => {
  if (filterFold.open && !facetsLoaded) loadFacets().catch(() => {});
});

// A facet lists its most frequent values (and every chosen one) by name,
// as the catalog's facets do; "All N values" lists every one. A catalog
// of thousands of systems would otherwise draw thousands of boxes beside
// the results.
const VALUES_SHOWN = 20;
const expanded = new Set();
// What is typed in each expanded facet's "Find a value" box.
const finding = {};
let lastCounts = {};

// A box over a facet's values: those whose name lacks what is typed are
// hidden, never a ticked one. portolan.js (`valueFinder`) does the same on
// the catalog home, in a plain script: keep the two alike.
function valueFinder(rows, key, label) {
  const find = document.createElement("input");
  find.type = "search";
  find.className = "facet-find";
  find.dataset.facet = key;
  find.placeholder = "Find a value";
  find.setAttribute("aria-label", `Find a value of ${label}`);
  find.value = finding[key] || "";
  const apply = () => {
    finding[key] = find.value;
    const text = find.value.trim().toLowerCase();
    for (const [name, { row, box }] of rows) {
      const hidden = text !== "" && !box.checked && !name.toLowerCase().includes(text);
      if (row.hidden !== hidden) row.hidden = hidden;
    }
  };
  find.addEventListener("input", apply);
  return { find, apply };
}

// Each facet as drawn, kept between queries: while its values stay the
// same, a query changes only its counts, in place. Drawn afresh at every
// keystroke, an expanded facet of thousands of values (a large catalog's
// systems) cost the page most of a second of layout each time.
const drawn = {};

// One facet's box over `names`, its rows by name.
function drawFacet(key, label, names, total) {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "facet";
  const legend = document.createElement("legend");
  legend.textContent = label;
  fieldset.append(legend);
  const rows = new Map();
  const finder = total > VALUES_SHOWN && expanded.has(key) ? valueFinder(rows, key, label) : null;
  if (finder) fieldset.append(finder.find);
  for (const name of names) {
    const row = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = key;
    box.value = name;
    // Not kept with the history entry (the URL holds what is chosen):
    // Chromium saves every box's state at each replaceState, ~30 ms a
    // keystroke on a facet of thousands of values.
    box.autocomplete = "off";
    box.addEventListener("change", () => {
      box.checked ? selected[key].add(name) : selected[key].delete(name);
      const open = filterFold.open;
      foldFilters();
      filterFold.open = open;
      run();
    });
    const text = document.createElement("span");
    text.className = "facet-value";
    breakable(text, name);
    const count = document.createElement("span");
    count.className = "count";
    row.append(box, " ", text, " ", count);
    fieldset.append(row);
    rows.set(name, { row, box, count });
  }
  if (names.length < total) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "facet-all";
    button.textContent = `All ${total} values`;
    button.addEventListener("click", () => {
      expanded.add(key);
      renderFilters(lastCounts);
      // The button is gone: the keyboard goes to the facet's finder.
      drawn[key]?.finder?.find.focus();
    });
    fieldset.append(button);
  }
  return { fieldset, rows, finder };
}

function renderFilters(counts) {
  lastCounts = counts;
  // A facet drawn afresh loses the keyboard: the box or finder that had
  // it gets it back.
  const active = filterBox.contains(document.activeElement) ? document.activeElement : null;
  const refocus = active && (active.classList.contains("facet-find")
    ? (el) => el.classList.contains("facet-find") && el.dataset.facet === active.dataset.facet
    : (el) => el.type === "checkbox" && el.name === active.name && el.value === active.value);
  const sets = [];
  for (const [key, , label] of FACETS) {
    const values = counts[key] || {};
    const all = Object.keys(values);
    if (all.length === 0) {
      delete drawn[key];
      continue;
    }
    const byName = (a, b) => a.localeCompare(b);
    let names = all.sort(byName);
    if (all.length > VALUES_SHOWN && !expanded.has(key)) {
      const top = all.slice().sort((a, b) => values[b] - values[a] || byName(a, b)).slice(0, VALUES_SHOWN);
      const chosen = [...selected[key]].filter((v) => v in values && !top.includes(v));
      // By name, as every list here is: boxes keep their order while the
      // counts change under the reader's typing.
      names = [...top, ...chosen].sort(byName);
    }
    const shape = [expanded.has(key), all.length, ...names].join("\u0000");
    if (!drawn[key] || drawn[key].shape !== shape) {
      drawn[key] = { shape, ...drawFacet(key, label, names, all.length) };
    }
    const facet = drawn[key];
    for (const [name, { row, box, count }] of facet.rows) {
      const n = String(values[name]);
      if (count.textContent !== n) count.textContent = n;
      box.checked = selected[key].has(name);
      row.classList.toggle("empty", values[name] === 0 && !box.checked);
    }
    if (facet.finder) facet.finder.apply();
    sets.push(facet.fieldset);
  }
  const same = filterBox.childNodes.length === sets.length && sets.every((s, n) => filterBox.childNodes[n] === s);
  if (!same) filterBox.replaceChildren(...sets);
  if (active && !filterBox.contains(document.activeElement)) {
    const again = [...filterBox.querySelectorAll("input")].find(refocus);
    if (again) again.focus({ preventScroll: true });
  }
}

// What the page asks: the words typed and the values ticked.
function request() {
  const query = input.value.trim();
  const filters = {};
  for (const [key] of FACETS) if (selected[key].size) filters[key] = { any: [...selected[key]] };
  // An empty `filters` option makes Pagefind return no filter counts.
  const options = Object.keys(filters).length ? { filters } : {};
  return { query, options, empty: !query && !options.filters };
}

// A search's facet counts: per value among its results, or, for a query
// of filters alone, Pagefind's totals.
function countsOf(search) {
  return (search.filters && Object.keys(search.filters).length ? search.filters : search.totalFilters) || {};
}

// The facets' counts for what is shown, once their index is in: the
// results stay as they are. A query typed meanwhile draws its own.
async function refreshFacets(totals) {
  const mine = generation;
  const { query, options, empty } = request();
  if (empty) {
    renderFilters(totals);
    return;
  }
  const search = await pagefind.search(query || null, options);
  if (mine === generation && search) renderFilters(countsOf(search));
}

let generation = 0;
async function run() {
  const mine = ++generation;
  const { query, options, empty } = request();
  const next = new URLSearchParams();
  if (query) next.set("q", query);
  for (const [key, param] of FACETS) for (const v of selected[key]) next.append(`f.${param}`, v);
  history.replaceState(null, "", location.pathname + (next.toString() ? `?${next}` : ""));

  // Once loaded, the facets are kept current even while folded; a search
  // made before then has no counts, and `refreshFacets` draws them.
  const counted = facetsLoaded;
  if (!counted && filterFold.open) loadFacets().catch(() => {});
  if (empty) {
    if (counted) renderFilters(await facetIndex);
    if (mine !== generation) return;
    list.innerHTML = "";
    more.hidden = true;
    current = null;
    status.textContent = "Type to search.";
    return;
  }
  const search = await pagefind.search(query || null, options);
  if (mine !== generation || !search) return;
  if (counted) renderFilters(countsOf(search));
  list.innerHTML = "";
  more.hidden = true;
  current = { mine, query, results: search.results, shown: 0 };
  await showMore();
}

// Results come 10 at a time: each shown result fetches its fragment, the
// heaviest part of a query on a large catalog.
const PAGE = 10;
let current = null;
const more = document.createElement("button");
more.type = "button";
more.className = "search-more";
more.textContent = "Show more results";
more.hidden = true;
list.after(more);
more.addEventListener("click", () => showMore(true));

async function showMore(focusFirst = false) {
  const state = current;
  if (!state) return;
  const next = state.results.slice(state.shown, state.shown + PAGE);
  const results = await Promise.all(next.map((r) => r.data()));
  if (state !== current || state.mine !== generation) return;
  let first = null;
  for (const data of results) {
    const { url, title, section, excerpt } = resultParts(data, "a", "p");
    const item = document.createElement("li");
    item.className = "search-result";
    title.href = url;
    item.append(title);
    if (section) item.append(section);
    item.append(excerpt);
    const tags = (data.filters && data.filters.tag) || [];
    if (tags.length) {
      const row = document.createElement("p");
      row.className = "search-result-tags";
      for (const t of tags) {
        const chip = document.createElement("span");
        chip.className = "tag";
        chip.textContent = t;
        row.append(chip, " ");
      }
      item.append(row);
    }
    list.append(item);
    first = first || title;
  }
  state.shown += next.length;
  if (focusFirst && first) first.focus();
  const total = state.results.length;
  const query = state.query;
  more.hidden = state.shown >= total;
  status.textContent =
    total === 0
      ? query ? `No document matches “${query}”.` : "No document matches these filters."
      : `${total} document${total === 1 ? "" : "s"}${query ? ` for “${query}”` : ""}${total > state.shown ? `, first ${state.shown} shown` : ""}.`;
}

let timer;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(run, 120);
});
input.closest("form").addEventListener("submit", (e) => {
  e.preventDefault();
  run();
});
run();
