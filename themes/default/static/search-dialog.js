// The search dialog on every page: results as you type, arrow keys to
// move, Enter to open, Esc to close. A modal <dialog> keeps focus inside;
// closing returns focus to where it was. Loaded on first open only.
import { pagefind, resultParts, unavailable } from "./search-core.js";

const base = document.body.dataset.basePath || "/";
let dialog, input, status, list, more, returnTo;
let results = [];
let active = -1;

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "search-dialog";
  dialog.setAttribute("aria-labelledby", "search-dialog-label");
  dialog.innerHTML = `
    <form method="dialog" class="search-dialog-bar" role="presentation">
      <label id="search-dialog-label" for="search-dialog-input" class="visually-hidden">Search the catalog</label>
      <input id="search-dialog-input" type="search" autocomplete="off" spellcheck="false"
        placeholder="Search the catalog" role="combobox" aria-expanded="false"
        aria-controls="search-dialog-results" aria-autocomplete="list">
      <button type="button" class="search-dialog-close">Close</button>
    </form>
    <p class="search-dialog-status" aria-live="polite"></p>
    <ul id="search-dialog-results" class="search-dialog-results" role="listbox" aria-label="Results"></ul>
    <p class="search-dialog-foot"><a class="search-dialog-more" href="#">All results and filters</a>
      <span aria-hidden="true"><kbd>↑</kbd><kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close</span></p>`;
  document.body.append(dialog);
  input = dialog.querySelector("input");
  status = dialog.querySelector(".search-dialog-status");
  list = dialog.querySelector("ul");
  more = dialog.querySelector(".search-dialog-more");
  more.href = `${base}search/`;
  dialog.querySelector(".search-dialog-close").addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the box) closes it.
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
  // Tab cycles inside the dialog (a modal dialog alone lets it leave for
  // the browser's own controls).
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Tab") return;
    const stops = [input, dialog.querySelector(".search-dialog-close"), more];
    const at = stops.indexOf(document.activeElement);
    e.preventDefault();
    const next = at === -1 ? 0 : (at + (e.shiftKey ? stops.length - 1 : 1)) % stops.length;
    stops[next].focus();
  });
  dialog.addEventListener("close", () => {
    if (returnTo && document.contains(returnTo)) returnTo.focus();
  });
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      // A search field would only clear itself: Esc closes the dialog.
      e.preventDefault();
      dialog.close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (results.length) move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const target = results[active >= 0 ? active : 0];
      if (target) location.href = target.href;
    }
  });
}

function move(step) {
  active = (active + step + results.length) % results.length;
  results.forEach((a, i) => a.setAttribute("aria-selected", i === active ? "true" : "false"));
  input.setAttribute("aria-activedescendant", results[active].id);
  results[active].scrollIntoView({ block: "nearest" });
}

let generation = 0;
async function run() {
  const mine = ++generation;
  const query = input.value.trim();
  more.href = `${base}search/${query ? `?q=${encodeURIComponent(query)}` : ""}`;
  // Reopened on the query it shows: the list stays, and with it a result
  // already selected (rendering it again would reset the selection under
  // a reader's arrow keys, and Enter would open another result).
  if (query && query === list.dataset.query && results.length) return;
  if (!query) {
    list.textContent = "";
    list.dataset.query = "";
    results = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    status.textContent = "Type to search every document.";
    return;
  }
  let api;
  try {
    api = await pagefind(base);
  } catch (e) {
    status.textContent = unavailable();
    return;
  }
  const search = await api.search(query);
  if (mine !== generation || !search) return;
  const shown = search.results.slice(0, 10);
  const data = await Promise.all(shown.map((r) => r.data()));
  if (mine !== generation) return;
  list.textContent = "";
  // Which query the list answers (tests wait for it, too).
  list.dataset.query = query;
  results = data.map((d, i) => {
    const { url, title, section, excerpt } = resultParts(d, "span", "span");
    // The link is the option (an option holding a link nests one control
    // in another); the list item is only layout.
    const item = document.createElement("li");
    item.setAttribute("role", "none");
    const link = document.createElement("a");
    link.id = `search-dialog-option-${i}`;
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.href = url;
    link.tabIndex = -1;
    link.append(title);
    if (section) link.append(section);
    link.append(excerpt);
    item.append(link);
    list.append(item);
    return link;
  });
  active = -1;
  input.removeAttribute("aria-activedescendant");
  input.setAttribute("aria-expanded", results.length ? "true" : "false");
  if (results.length) move(1);
  const total = search.results.length;
  status.textContent = total === 0
    ? `No document matches “${query}”.`
    : `${total} document${total === 1 ? "" : "s"}${total > shown.length ? `, first ${shown.length} shown` : ""}.`;
}

/** Opens the dialog, optionally with a query; focus comes back on close. */
export function open(query) {
  if (!dialog) build();
  if (dialog.open) return;
  returnTo = document.activeElement;
  if (typeof query === "string") input.value = query;
  dialog.showModal();
  input.focus();
  input.select();
  run();
}
