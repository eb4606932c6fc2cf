// portolan search page: Pagefind's index (pagefind/pagefind.js, fetched in
// chunks as a query needs them), with facet filters and ?q= in the URL.
const base = document.body.dataset.basePath || "/";
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const filterBox = document.getElementById("search-filters");
const FACETS = [
  ["tag", "Tags"], ["agent", "Agents"], ["status", "Status"], ["type", "Type"],
  ["service", "Service"], ["protocol", "Protocol"], ["direction", "Direction"],
];

// Pagefind's excerpts are escaped text with <mark> around matches. Parse
// them inertly (a template runs nothing) and keep only text and marks.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const out = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent));
    }
  }
  return out;
}

let pagefind;
try {
  pagefind = await import(`${base}pagefind/pagefind.js`);
  await pagefind.options({ baseUrl: base, excerptLength: 24 });
  pagefind.init();
  // Loads the filter index: searches report facet counts only after this.
  await pagefind.filters();
} catch (e) {
  status.textContent =
    location.protocol === "file:"
      ? "Search needs the site to be served over HTTP (browsers do not let file:// pages load the index)."
      : "The search index could not be loaded.";
  throw e;
}

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
const selected = {};
for (const [key] of FACETS) selected[key] = new Set(params.getAll(`f.${key}`));

function renderFilters(counts) {
  filterBox.innerHTML = "";
  for (const [key, label] of FACETS) {
    const values = counts[key] || {};
    const names = Object.keys(values).sort((a, b) => a.localeCompare(b));
    if (names.length === 0) continue;
    const fieldset = document.createElement("fieldset");
    fieldset.className = "facet";
    const legend = document.createElement("legend");
    legend.textContent = label;
    fieldset.append(legend);
    for (const name of names) {
      const row = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = key;
      box.value = name;
      box.checked = selected[key].has(name);
      box.addEventListener("change", () => {
        box.checked ? selected[key].add(name) : selected[key].delete(name);
        run();
      });
      const text = document.createElement("span");
      text.className = "facet-value";
      text.textContent = name;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = String(values[name]);
      row.append(box, " ", text, " ", count);
      if (values[name] === 0 && !box.checked) row.classList.add("empty");
      fieldset.append(row);
    }
    filterBox.append(fieldset);
  }
}

// The section whose text matched best: results deep-link to its heading.
function bestTarget(data) {
  const subs = (data.sub_results || []).filter((s) => s.url.includes("#"));
  if (subs.length === 0) return { url: data.url, excerpt: data.excerpt, section: null };
  subs.sort((a, b) => (b.locations || []).length - (a.locations || []).length);
  return { url: subs[0].url, excerpt: subs[0].excerpt || data.excerpt, section: subs[0].title };
}

let generation = 0;
async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  const filters = {};
  for (const [key] of FACETS) if (selected[key].size) filters[key] = { any: [...selected[key]] };
  const next = new URLSearchParams();
  if (query) next.set("q", query);
  for (const [key] of FACETS) for (const v of selected[key]) next.append(`f.${key}`, v);
  history.replaceState(null, "", location.pathname + (next.toString() ? `?${next}` : ""));

  if (!query && Object.keys(filters).length === 0) {
    renderFilters(await pagefind.filters());
    list.innerHTML = "";
    status.textContent = "Type to search.";
    return;
  }
  const hasFilters = Object.keys(filters).length > 0;
  // An empty `filters` option makes Pagefind return no filter counts.
  const search = await pagefind.search(query || null, hasFilters ? { filters } : {});
  if (mine !== generation || !search) return;
  const counts = search.filters && Object.keys(search.filters).length ? search.filters : search.totalFilters;
  renderFilters(counts || {});
  const shown = search.results.slice(0, 30);
  const results = await Promise.all(shown.map((r) => r.data()));
  if (mine !== generation) return;
  list.innerHTML = "";
  for (const data of results) {
    const target = bestTarget(data);
    const item = document.createElement("li");
    item.className = "search-result";
    const link = document.createElement("a");
    link.href = target.url;
    link.className = "search-result-title";
    link.textContent = (data.meta && data.meta.title) || data.url;
    item.append(link);
    if (target.section && target.section !== link.textContent) {
      const section = document.createElement("span");
      section.className = "search-result-section";
      section.textContent = ` › ${target.section}`;
      item.append(section);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerpt.append(...excerptNodes(target.excerpt || ""));
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
  }
  const total = search.results.length;
  status.textContent =
    total === 0
      ? query ? `No document matches “${query}”.` : "No document matches these filters."
      : `${total} document${total === 1 ? "" : "s"}${query ? ` for “${query}”` : ""}${total > shown.length ? `, first ${shown.length} shown` : ""}.`;
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
