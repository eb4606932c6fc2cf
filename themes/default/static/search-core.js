// What the search page and the search dialog share: loading Pagefind once,
// inert excerpts, and which section of a result to link to.

let loading;
/** Pagefind's API, imported on first use (the index is fetched in chunks). */
export function pagefind(base) {
  if (!loading) {
    loading = (async () => {
      const options = { baseUrl: base, excerptLength: 24 };
      // A large catalog is indexed in several bundles (each rebuilt only
      // when its pages change); the first is the one imported, the others
      // are merged into it, listed in buckets.json.
      const others = fetch(`${base}pagefind/buckets.json`)
        .then((r) => (r.ok ? r.json() : []))
        .catch(() => []);
      const api = await import(`${base}pagefind/pagefind.js`);
      await api.options(options);
      api.init();
      let merged = 0;
      for (const dir of await others) {
        if (/^b[0-9]+\/$/.test(dir)) {
          await api.mergeIndex(`${base}pagefind/${dir}`, options);
          merged += 1;
        }
      }
      if (merged === 0) return api;
      return {
        search: (term, opts) => searchBuckets(api, term, opts || {}),
        filters: () => api.filters(),
      };
    })();
  }
  return loading;
}

// Several buckets must answer as one bundle would. Pagefind matches a
// query word by every indexed word that starts with it, or, in a bundle
// holding none, by the longest indexed word the query starts with
// ("logiport" by "log", from "logging"): a bucket without the word would
// add such stand-ins, where one bundle holding it never does. The build
// tags each page with its bucket (the hidden filter `bucket`); for each
// query word held exactly in some bucket, only the buckets holding every
// such word are searched. A word held nowhere (half typed, or absent)
// restricts nothing: there every bucket, like one bundle, falls back. The
// price: a bucket holding only longer words that start with the query's
// ("payment" for "pay") is left out when another holds the word itself;
// buckets of thousands of pages rarely lack a word another holds.
export async function searchBuckets(api, term, options) {
  const plain = () => api.search(term, options);
  if (term === null || /^\s*".*"\s*$/.test(term)) return plain();
  const words = term.replace(/"/g, " ").split(/\s+/).filter(Boolean);
  let searched = null;
  for (const word of words) {
    const holding = await bucketsHolding(api, word);
    if (holding === null) return plain(); // an index whose pages carry no bucket
    if (holding.length === 0) continue;
    searched = searched ? searched.filter((b) => holding.includes(b)) : holding;
  }
  if (searched === null) return plain();
  // No bucket holds every word: as in one bundle, nothing matches them all
  // (an empty `any` would filter nothing, so ask for a bucket none has).
  const bucket = { any: searched.length ? searched : ["none"] };
  return api.search(term, { ...options, filters: { ...(options.filters || {}), bucket } });
}

// The buckets holding each word asked about, for this page's life (the
// index does not change under it). The check is a search of its own, as
// costly as the query's on a common word: a query of several words, typed,
// asks again about every word before the last.
const held = new Map();
const HELD_WORDS = 200;

async function bucketsHolding(api, word) {
  if (held.has(word)) return held.get(word);
  // Filtering on `bucket` (excluding a value no page has) loads just that
  // filter's small chunk, so the counts say which buckets hold the word.
  const exact = await api.search(`"${word}"`, { filters: { bucket: { none: ["-"] } } });
  const counts = exact && exact.filters && exact.filters.bucket;
  const holding = counts ? Object.keys(counts).filter((b) => counts[b] > 0) : null;
  if (held.size >= HELD_WORDS) held.delete(held.keys().next().value);
  held.set(word, holding);
  return holding;
}

export function unavailable() {
  return location.protocol === "file:"
    ? "Search needs the site to be served over HTTP (browsers do not let file:// pages load the index)."
    : "The search index could not be loaded.";
}

// Pagefind's excerpts are escaped text with <mark> around matches. Parse
// them inertly (a template runs nothing) and keep only text and marks.
export function excerptNodes(html) {
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

// The section whose text matched best: results deep-link to its heading.
export function bestTarget(data) {
  const subs = (data.sub_results || []).filter((s) => s.url.includes("#"));
  if (subs.length === 0) return { url: data.url, excerpt: data.excerpt, section: null };
  subs.sort((a, b) => (b.locations || []).length - (a.locations || []).length);
  return { url: subs[0].url, excerpt: subs[0].excerpt || data.excerpt, section: subs[0].title };
}

/** What every result shows, as elements with the shared classes: its
 * title (a `titleTag`), the section that matched when it is not the title,
 * and the excerpt (an `excerptTag`); and the URL it goes to. */
export function resultParts(data, titleTag, excerptTag) {
  const target = bestTarget(data);
  const title = document.createElement(titleTag);
  title.className = "search-result-title";
  title.textContent = (data.meta && data.meta.title) || data.url;
  let section = null;
  if (target.section && target.section !== title.textContent) {
    section = document.createElement("span");
    section.className = "search-result-section";
    section.textContent = ` › ${target.section}`;
  }
  const excerpt = document.createElement(excerptTag);
  excerpt.className = "search-result-excerpt";
  excerpt.append(...excerptNodes(target.excerpt || ""));
  return { url: sameSite(target.url), title, section, excerpt };
}

// An index is data (and may come from a build cache): only a path on this
// site becomes a link, never another scheme or host. Browsers drop tabs
// and newlines from a URL and read a backslash as a slash, so "/\t/evil"
// is "//evil", another host: such characters are refused outright, and
// what is left must still resolve to this origin.
export function sameSite(url) {
  if (typeof url !== "string" || !url.startsWith("/") || url.startsWith("//")) return "#";
  if (/[\u0000-\u0020\u007f\\]/.test(url)) return "#";
  try {
    return new URL(url, location.href).origin === location.origin ? url : "#";
  } catch {
    return "#";
  }
}

/** Appends `text` to `el` with a <wbr> wherever a long name may break, as
 * home.rs's `word_parts` splits it: between CamelCase words and after
 * - _ . /, so a narrow facet never cuts a name mid-word. */
export function breakable(el, text) {
  const chars = Array.from(text);
  const upper = (x) => x !== undefined && x !== x.toLowerCase();
  const lower = (x) => x !== undefined && x !== x.toUpperCase();
  let part = "";
  chars.forEach((c, i) => {
    const b = chars[i - 1];
    const a = chars[i + 1];
    const newWord = upper(c) && b !== undefined
      && (lower(b) || /[0-9]/.test(b) || (upper(b) && Array.from(part).length >= 2 && lower(a)));
    const afterMark = b !== undefined && "-_./".includes(b);
    if ((newWord || afterMark) && part) {
      el.append(part, document.createElement("wbr"));
      part = "";
    }
    part += c;
  });
  el.append(part);
}
