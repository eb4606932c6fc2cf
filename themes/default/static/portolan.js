// portolan: facet filters and sorting on the catalog, copy buttons on code.
// Plain script, no dependencies, nothing fetched from anywhere.
(function () {
  "use strict";

  function setupCopyButtons() {
    document.querySelectorAll(".code-block .copy").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var code = button.parentElement.querySelector("code");
        if (!code || !navigator.clipboard) return;
        navigator.clipboard.writeText(code.innerText).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
    });
  }

  // The catalog: facet filters, sorting and "show more" over every
  // document. The page holds the first rows; the rest come from
  // catalog-rows.json (columns, values by index), fetched the first time
  // the reader filters, sorts or asks for more. Rows are kept as plain
  // records; a table row is built only when it is shown.
  var FACETS = ["tags", "agents", "systems", "status", "type", "protocol", "direction"];
  var PAGE = 100;

  function fromElement(tr) {
    var record = { el: tr, values: {}, keys: {} };
    FACETS.forEach(function (f) {
      var raw = tr.getAttribute("data-f-" + f) || "";
      record.values[f] = raw === "" ? [] : raw.split("|");
    });
    ["title", "type", "status", "updated"].forEach(function (k) {
      record.keys[k] = (tr.getAttribute("data-" + k) || "").toLowerCase();
    });
    return record;
  }

  function fromColumns(data, base) {
    var v = data.values || {};
    var one = function (name, i) { var x = data[name][i]; return x < 0 ? null : v[name][x]; };
    var stale = {};
    (data.stale || []).forEach(function (pair) { stale[pair[0]] = pair[1]; });
    var records = [];
    for (var i = 0; i < data.count; i++) {
      var status = one("status", i);
      var r = {
        el: null,
        title: data.title[i],
        url: base + data.url[i],
        description: data.description[i],
        service: data.service[i],
        updated: data.updated[i],
        status: status ? status[0] : "",
        statusClass: status ? status[1] : "",
        type: one("type", i) || "",
        protocols: data.protocol[i].map(function (x) { return v.protocol[x]; }),
        direction: one("direction", i) || "",
        tags: data.tags[i].map(function (x) { return [v.tags[x][0], base + v.tags[x][1]]; }),
        agents: data.agents[i].map(function (x) { return [v.agents[x][0], base + v.agents[x][1]]; }),
        systems: data.systems[i].map(function (x) { return v.systems[x][0]; }),
        age: stale[i],
      };
      r.values = {
        tags: r.tags.map(function (t) { return t[0]; }),
        agents: r.agents.map(function (a) { return a[0]; }),
        systems: r.systems,
        status: r.status ? [r.status] : [],
        type: r.type ? [r.type] : [],
        protocol: r.protocols,
        direction: r.direction ? [r.direction] : [],
      };
      r.keys = { title: r.title.toLowerCase(), type: r.type.toLowerCase(), status: r.status, updated: r.updated };
      records.push(r);
    }
    return records;
  }

  // The same row the page's template writes (home.html).
  function rowElement(r) {
    function el(tag, attrs, children) {
      var e = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      (children || []).forEach(function (c) { e.append(c); });
      return e;
    }
    var tr = el("tr", { "class": "doc-row" });
    var first = el("td", { "data-label": "Document" }, [el("a", { "class": "doc-link", href: r.url }, [r.title])]);
    if (r.description) first.append(el("p", { "class": "doc-description" }, [r.description]));
    var kind = el("td", { "data-label": "Type" }, [el("span", { "class": "shape" }, [r.type])]);
    var status = el("td", { "data-label": "Status" }, r.status ? [el("span", { "class": "status status-" + r.statusClass }, [r.status])] : []);
    var how = el("td", { "data-label": "Connects" });
    if (r.service) how.append(el("strong", {}, [r.service]), el("br"));
    how.append(r.protocols.join(", "));
    if (r.direction) {
      if (r.protocols.length) how.append(el("br"));
      how.append(el("small", {}, [r.direction]));
    }
    var terms = el("td", { "data-label": "Tags & agents" });
    r.tags.forEach(function (t) { terms.append(el("a", { "class": "tag", href: t[1] }, [t[0]]), " "); });
    r.agents.forEach(function (a) { terms.append(el("a", { "class": "agent", href: a[1] }, [a[0]]), " "); });
    var when = el("td", { "data-label": "Updated" });
    if (r.updated) {
      when.append(el("time", { datetime: r.updated }, [r.updated]));
      if (r.age !== undefined) {
        when.append(" ", el("span", { "class": "badge badge-stale", title: "Not updated for " + r.age + " days" }, ["stale"]));
      }
    }
    [first, kind, status, how, terms, when].forEach(function (td) { tr.append(td); });
    return tr;
  }

  function setupFacets() {
    var table = document.getElementById("doc-table");
    var catalog = document.querySelector(".catalog");
    if (!table || !catalog) return;
    var body = table.querySelector("tbody");
    var total = Number(catalog.getAttribute("data-total")) || 0;
    var records = Array.prototype.slice.call(body.querySelectorAll("tr.doc-row")).map(fromElement);
    var complete = records.length >= total;
    var loading = null;
    var sortKey = null;
    var descending = false;
    var limit = PAGE;
    var shown = document.getElementById("shown-count");
    var empty = document.querySelector(".no-results");
    var clear = document.querySelector(".clear-filters");
    var more = document.querySelector(".show-more");
    var note = document.querySelector(".more-rows-note");
    var chosen = {};
    var initial = new URLSearchParams(window.location.search);
    FACETS.forEach(function (f) {
      var picked = initial.getAll("f." + f);
      if (picked.length) chosen[f] = picked;
    });

    // Every row, once: from the page when it holds them all, else fetched.
    function load() {
      if (complete) return Promise.resolve();
      if (!loading) {
        var base = document.body.getAttribute("data-base-path") || "/";
        loading = fetch(catalog.getAttribute("data-rows"))
          .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("catalog rows: " + r.status)); })
          .then(function (data) {
            // The page's own rows stay as they are; the rest are built when shown.
            var fetched = fromColumns(data, base);
            var have = {};
            records.forEach(function (r) { have[r.el.querySelector("a.doc-link").getAttribute("href")] = r; });
            records = fetched.map(function (r) { return have[r.url] ? Object.assign(r, { el: have[r.url].el }) : r; });
            complete = true;
          });
      }
      return loading;
    }

    // A row matches when, for every facet with a selection, it has one of
    // the selected values (OR inside a facet, AND across facets).
    function matches(r, except) {
      return Object.keys(chosen).every(function (f) {
        if (f === except) return true;
        return chosen[f].some(function (v) { return r.values[f].indexOf(v) !== -1; });
      });
    }

    function boxes() {
      return Array.prototype.slice.call(document.querySelectorAll(".facet input[type=checkbox]"));
    }

    // As search-core.js's `breakable` (and home.rs's word_parts): a <wbr>
    // between the words of a long name, so a facet never cuts one mid-word.
    function breakable(el, text) {
      var chars = Array.from(text);
      var upper = function (x) { return x !== undefined && x !== x.toLowerCase(); };
      var lower = function (x) { return x !== undefined && x !== x.toUpperCase(); };
      var part = "";
      chars.forEach(function (c, i) {
        var b = chars[i - 1];
        var a = chars[i + 1];
        var newWord = upper(c) && b !== undefined &&
          (lower(b) || /[0-9]/.test(b) || (upper(b) && Array.from(part).length >= 2 && lower(a)));
        var afterMark = b !== undefined && "-_./".indexOf(b) !== -1;
        if ((newWord || afterMark) && part) {
          el.append(part, document.createElement("wbr"));
          part = "";
        }
        part += c;
      });
      el.append(part);
    }

    function facetValue(fieldset, value, count) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = fieldset.getAttribute("data-facet");
      box.value = value;
      // Not kept with the history entry: the URL holds what is chosen, and
      // Chromium saves every box's state at each replaceState, which on
      // thousands of values cost ~30 ms a time.
      box.autocomplete = "off";
      box.checked = (chosen[box.name] || []).indexOf(value) !== -1;
      box.addEventListener("change", changed);
      var name = document.createElement("span");
      name.className = "facet-value";
      breakable(name, value);
      var counter = document.createElement("span");
      counter.className = "count";
      counter.textContent = String(count);
      label.append(box, " ", name, " ", counter);
      return label;
    }

    // "All N values": the facet lists every value, counted over every row,
    // under a box that finds one by name (a large catalog has thousands).
    // The keyboard goes to that box: the button it pressed is gone.
    function showAllValues(fieldset, focus) {
      var f = fieldset.getAttribute("data-facet");
      var seen = {};
      records.forEach(function (r) { r.values[f].forEach(function (v) { seen[v] = true; }); });
      fieldset.querySelectorAll("label").forEach(function (l) { l.remove(); });
      var button = fieldset.querySelector(".facet-all");
      Object.keys(seen).sort().forEach(function (v) { fieldset.insertBefore(facetValue(fieldset, v, 0), button); });
      button.remove();
      var find = valueFinder(fieldset);
      if (focus) find.focus();
    }

    // A box over a facet's values: those whose name lacks what is typed
    // are hidden, never a ticked one. search.js (`valueFinder`) does the
    // same on the search page: keep the two alike.
    function valueFinder(fieldset) {
      var legend = fieldset.querySelector("legend");
      var find = document.createElement("input");
      find.type = "search";
      find.className = "facet-find";
      find.placeholder = "Find a value";
      find.setAttribute("aria-label", "Find a value of " + legend.textContent);
      find.addEventListener("input", function () {
        var text = find.value.trim().toLowerCase();
        fieldset.querySelectorAll("label").forEach(function (label) {
          var box = label.querySelector("input");
          label.hidden = text !== "" && !box.checked && box.value.toLowerCase().indexOf(text) === -1;
        });
      });
      legend.after(find);
      return find;
    }

    function render() {
      var rows = records.filter(function (r) { return matches(r, null); });
      if (sortKey) {
        rows = rows.slice().sort(function (a, b) {
          var x = a.keys[sortKey] || "", y = b.keys[sortKey] || "";
          return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
        });
      }
      var visible = rows.slice(0, limit);
      body.replaceChildren.apply(body, visible.map(function (r) { return r.el || (r.el = rowElement(r)); }));
      if (shown) shown.textContent = String(rows.length);
      if (empty) empty.hidden = rows.length !== 0;
      if (clear) clear.hidden = Object.keys(chosen).length === 0;
      if (more) {
        more.hidden = rows.length <= visible.length;
        more.textContent = "Show " + Math.min(PAGE, rows.length - visible.length) + " more (" + visible.length + " of " + rows.length + " shown)";
      }
      if (note && complete) note.hidden = true;
      // Counts say how many documents each value would show.
      var counts = {};
      FACETS.forEach(function (f) {
        var c = counts[f] = {};
        records.forEach(function (r) {
          if (!matches(r, f)) return;
          r.values[f].forEach(function (v) { c[v] = (c[v] || 0) + 1; });
        });
      });
      boxes().forEach(function (box) {
        var n = (counts[box.name] || {})[box.value] || 0;
        var label = box.closest("label");
        var counter = label && label.querySelector(".count");
        if (counter) counter.textContent = String(n);
        if (label) label.classList.toggle("empty", n === 0 && !box.checked);
      });
      var params = new URLSearchParams(window.location.search);
      FACETS.forEach(function (f) { params.delete("f." + f); });
      Object.keys(chosen).forEach(function (f) {
        chosen[f].forEach(function (v) { params.append("f." + f, v); });
      });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    function update() {
      catalog.setAttribute("aria-busy", "true");
      load().then(function () {
        catalog.removeAttribute("aria-busy");
        render();
      }, function (e) {
        catalog.removeAttribute("aria-busy");
        // The page's rows still filter; say the rest could not be had.
        if (note) note.textContent = "Only the first " + records.length + " documents could be loaded (" + e.message + ").";
        complete = true;
        render();
      });
    }

    function changed() {
      chosen = {};
      boxes().forEach(function (box) {
        if (box.checked) (chosen[box.name] = chosen[box.name] || []).push(box.value);
      });
      limit = PAGE;
      update();
    }

    boxes().forEach(function (box) {
      if ((chosen[box.name] || []).indexOf(box.value) !== -1) box.checked = true;
      box.addEventListener("change", changed);
    });
    document.querySelectorAll(".facet-all").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        load().then(function () { showAllValues(button.closest("fieldset"), true); render(); });
      });
    });
    if (clear) clear.addEventListener("click", function () {
      boxes().forEach(function (box) { box.checked = false; });
      changed();
    });
    if (more) {
      more.hidden = false;
      more.addEventListener("click", function () { limit += PAGE; update(); });
    }
    document.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        sortKey = button.getAttribute("data-sort");
        descending = button.getAttribute("aria-sort") === "ascending";
        document.querySelectorAll("button.sort").forEach(function (b) { b.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", descending ? "descending" : "ascending");
        limit = PAGE;
        update();
      });
    });
    // A value chosen in the URL that the page does not list: list them all.
    Object.keys(chosen).forEach(function (f) {
      var fieldset = document.querySelector('.facet[data-facet="' + f + '"]');
      var listed = fieldset ? Array.prototype.map.call(fieldset.querySelectorAll("input"), function (b) { return b.value; }) : [];
      if (fieldset && fieldset.querySelector(".facet-all") && chosen[f].some(function (v) { return listed.indexOf(v) === -1; })) {
        load().then(function () { if (fieldset.querySelector(".facet-all")) showAllValues(fieldset); render(); });
      }
    });
    // Otherwise the page as written is already right: counts over all.
    if (Object.keys(chosen).length) update();
  }

  // Type-to-filter for tables marked with data-filter-table (the systems
  // table): every word must appear in the row's data-filter-text.
  function setupTableFilters() {
    document.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-filter-table"));
      if (!table) return;
      var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
      var texts = rows.map(function (row) {
        return (row.getAttribute("data-filter-text") || row.textContent).toLowerCase();
      });
      function apply() {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        rows.forEach(function (row, i) {
          row.hidden = !words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        });
      }
      input.addEventListener("input", apply);
      apply();
    });
  }

  // A button that folds `panel` (the element carrying .collapsible/.open)
  // on narrow screens; wide screens hide the button in CSS.
  function foldable(container, button) {
    if (!container || !button) return;
    container.classList.add("collapsible");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = !container.classList.contains("open");
      container.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function normalise(path) {
    return decodeURI(path).replace(/index\.html$/, "");
  }

  // The sidebar: one sidebar.json for the whole site (fetched, revalidated
  // by the browser's cache), not a copy of the tree in every page. Groups
  // are built when first opened, so 10,000 documents cost only the open
  // branch.
  function setupSidebar() {
    var nav = document.querySelector("nav.sidebar");
    if (!nav || !window.fetch) return;
    var tree = nav.querySelector(".sidebar-tree");
    var base = document.body.getAttribute("data-base-path") || "/";
    fetch(base + "sidebar.json", { cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var folders = data.folders || [];
        var here = normalise(location.pathname);
        // Which folders lead to this page: open them.
        var parent = {};
        folders.forEach(function (f, i) { (f.c || []).forEach(function (c) { parent[c] = i; }); });
        var at = -1;
        folders.forEach(function (f, i) {
          if (at !== -1) return;
          if (i !== 0 && normalise(f.u) === here) at = i;
          (f.d || []).forEach(function (d) { if (normalise(d[1]) === here) at = i; });
        });
        var open = {};
        for (var f = at; f !== undefined && f !== -1; f = parent[f]) open[f] = true;

        function link(title, url) {
          var a = document.createElement("a");
          a.href = url;
          a.textContent = title;
          if (normalise(url) === here) a.setAttribute("aria-current", "page");
          return a;
        }
        function fill(list, i) {
          var folder = folders[i];
          if (i !== 0) {
            var li = document.createElement("li");
            li.appendChild(link("Overview", folder.u));
            list.appendChild(li);
          }
          (folder.d || []).forEach(function (d) {
            var li = document.createElement("li");
            li.appendChild(link(d[0], d[1]));
            list.appendChild(li);
          });
          (folder.c || []).forEach(function (c) {
            var li = document.createElement("li");
            var details = document.createElement("details");
            var summary = document.createElement("summary");
            summary.textContent = folders[c].t;
            details.appendChild(summary);
            var sub = document.createElement("ul");
            details.appendChild(sub);
            var built = false;
            function build() {
              if (built) return;
              built = true;
              fill(sub, c);
            }
            details.addEventListener("toggle", function () { if (details.open) build(); });
            if (open[c]) { build(); details.open = true; }
            li.appendChild(details);
            list.appendChild(li);
          });
        }
        var root = document.createElement("ul");
        fill(root, 0);
        tree.textContent = "";
        tree.appendChild(root);
        var current = tree.querySelector("[aria-current=page]");
        if (current && tree.scrollHeight > nav.clientHeight) {
          nav.scrollTop = current.offsetTop - nav.clientHeight / 3;
        }
      })
      .catch(function () { /* keep the no-script link to the folder */ });
    foldable(nav, nav.querySelector(".sidebar-toggle"));
  }

  // A map wider than the screen opens scrolled to the system the page is
  // about, not to its left edge.
  function centreMaps() {
    document.querySelectorAll(".map-scroll").forEach(function (frame) {
      var focus = frame.querySelector(".map-node.focus rect");
      if (!focus || frame.scrollWidth <= frame.clientWidth) return;
      var box = focus.getBoundingClientRect();
      var outer = frame.getBoundingClientRect();
      frame.scrollLeft += box.left - outer.left - (frame.clientWidth - box.width) / 2;
    });
  }

  // A map wider than its box can also be seen whole: a button scales it to
  // the box's width (an overview: its text shrinks with it) and back to
  // actual size, where it scrolls. The button shows only while the map
  // overflows, or is fitted; a folded group's map is measured when opened.
  function fittableMaps() {
    document.querySelectorAll(".map-scroll").forEach(function (frame) {
      if (!frame.querySelector("svg.map")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "map-fit";
      button.textContent = "Fit map to width";
      button.setAttribute("aria-pressed", "false");
      button.hidden = true;
      frame.parentNode.insertBefore(button, frame);
      function update() {
        var fitted = frame.classList.contains("fitted");
        button.hidden = !fitted && frame.scrollWidth <= frame.clientWidth + 1;
      }
      button.addEventListener("click", function () {
        var fitted = frame.classList.toggle("fitted");
        button.setAttribute("aria-pressed", fitted ? "true" : "false");
        if (!fitted) centreMaps();
        update();
      });
      if (window.ResizeObserver) new ResizeObserver(update).observe(frame);
      update();
    });
  }

  // Search: on the search page `/` and Ctrl/Cmd-K go to its box; on every
  // other page they open the search dialog (loaded on first use), as does
  // the header box and a `?q=` in the address.
  function setupSearch() {
    var base = document.body.getAttribute("data-base-path") || "/";
    var pageBox = document.getElementById("search-input");
    var headerBox = document.getElementById("site-search-input");
    function openDialog(query) {
      return import(base + "static/search-dialog.js").then(function (m) { m.open(query); });
    }
    document.addEventListener("keydown", function (e) {
      var el = document.activeElement;
      var typing = el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable);
      var slash = e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey;
      var ctrlK = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey);
      if (!slash && !ctrlK) return;
      if (document.querySelector("dialog.search-dialog[open]")) return;
      e.preventDefault();
      if (pageBox) {
        pageBox.focus();
        pageBox.select();
      } else {
        openDialog();
      }
    });
    if (headerBox && !pageBox) {
      // The header box opens the dialog instead of submitting: a click,
      // Enter, or the first character typed (carried over). Focus comes
      // back to it when the dialog closes.
      function fromBox(e) {
        if (e) e.preventDefault();
        var typed = headerBox.value;
        headerBox.value = "";
        openDialog(typed);
      }
      headerBox.addEventListener("click", function () { fromBox(); });
      headerBox.addEventListener("input", function () { fromBox(); });
      if (headerBox.form) headerBox.form.addEventListener("submit", fromBox);
      var q = new URLSearchParams(window.location.search).get("q");
      if (q) openDialog(q);
    }
  }

  // Light, dark or auto (the system's). The head script applies a stored
  // choice before the first paint; this only offers and stores it.
  function setupThemeChoice() {
    var box = document.querySelector(".theme-choice");
    var select = box && box.querySelector("select");
    if (!select) return;
    var root = document.documentElement;
    select.value = root.dataset.theme === "light" || root.dataset.theme === "dark" ? root.dataset.theme : "auto";
    box.hidden = false;
    select.addEventListener("change", function () {
      var choice = select.value;
      if (choice === "light" || choice === "dark") root.dataset.theme = choice;
      else delete root.dataset.theme;
      try {
        if (choice === "auto") localStorage.removeItem("portolan-theme");
        else localStorage.setItem("portolan-theme", choice);
      } catch (e) { /* storage off: the choice lasts for this page only */ }
    });
  }

  // A diagram drawn wider than its frame: a button shows it full size.
  function setupDiagramSize() {
    document.querySelectorAll("figure.diagram > svg").forEach(function (svg) {
      var natural = parseFloat(svg.style.getPropertyValue("--diagram-natural"));
      if (!(natural > svg.getBoundingClientRect().width + 1)) return;
      var figure = svg.parentElement;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "diagram-size";
      button.textContent = "Full size";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        var full = figure.classList.toggle("full-size");
        button.setAttribute("aria-pressed", full ? "true" : "false");
      });
      figure.insertBefore(button, svg);
    });
  }

  // Tag and agent pages come in pages of 100: "Show more" appends the next
  // page's documents here instead of leaving the page.
  function setupTermPages() {
    var button = document.querySelector(".term-more");
    var list = document.querySelector(".doc-list");
    if (!button || !list || !window.fetch || !window.DOMParser) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = button.getAttribute("data-next");
      button.disabled = true;
      fetch(next).then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          page.querySelectorAll(".doc-list > li").forEach(function (li) { list.appendChild(document.adoptNode(li)); });
          var more = page.querySelector(".term-more");
          var links = document.querySelector(".term-pages-links");
          var count = document.querySelector(".term-pages > p");
          var theirCount = page.querySelector(".term-pages > p");
          if (count && theirCount) count.textContent = "Documents 1–" + theirCount.textContent.replace(/^Documents \d+–/, "").replace(/ \(page.*$/, "");
          if (more) {
            button.setAttribute("data-next", more.getAttribute("data-next"));
            button.disabled = false;
            var nextLink = links && links.querySelector("a[rel=next]");
            if (nextLink) nextLink.href = more.getAttribute("data-next");
          } else {
            button.remove();
            var last = links && links.querySelector("a[rel=next]");
            if (last) last.remove();
          }
        }, function () { button.disabled = false; });
    });
  }

  // Hugo tabs (`{{< tabs >}}`, rendered as panels under their labels)
  // become tabs, keyboard as the ARIA tabs pattern has it. Choosing a tab
  // chooses the tab of that name in every group, on this page and later
  // ones (a reader's platform), as Docusaurus's tab groups do. A link to
  // a heading in a hidden tab shows that tab.
  var TAB_KEY = "portolan-tab";
  function setupTabs() {
    var groups = [];
    var count = 0;
    function select(group, k) {
      group.buttons.forEach(function (b, j) {
        var on = j === k;
        b.setAttribute("aria-selected", on ? "true" : "false");
        b.tabIndex = on ? 0 : -1;
        group.panels[j].hidden = !on;
      });
    }
    function chooseName(name) {
      groups.forEach(function (group) {
        var k = group.names.indexOf(name);
        if (k >= 0) select(group, k);
      });
    }
    document.querySelectorAll(".tabs").forEach(function (box) {
      var panels = Array.prototype.filter.call(box.children, function (c) {
        return c.classList.contains("tab-panel");
      });
      if (!panels.length) return;
      var list = document.createElement("div");
      list.className = "tab-list";
      list.setAttribute("role", "tablist");
      var group = { panels: panels, names: [], buttons: [] };
      panels.forEach(function (panel) {
        count += 1;
        var label = panel.querySelector(":scope > .tab-label");
        var name = label ? label.textContent : "Tab " + (group.names.length + 1);
        var button = document.createElement("button");
        button.type = "button";
        // Prefixed: a heading "Tab 1" has the id `tab-1`.
        button.id = "portolan-tab-" + count;
        button.textContent = name;
        button.setAttribute("role", "tab");
        if (!panel.id) panel.id = "portolan-tab-panel-" + count;
        button.setAttribute("aria-controls", panel.id);
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", button.id);
        panel.tabIndex = 0;
        list.appendChild(button);
        group.names.push(name);
        group.buttons.push(button);
      });
      group.buttons.forEach(function (button, k) {
        button.addEventListener("click", function () {
          select(group, k);
          chooseName(group.names[k]);
          try { localStorage.setItem(TAB_KEY, group.names[k]); } catch (e) { /* storage off */ }
        });
        button.addEventListener("keydown", function (e) {
          var n = group.buttons.length;
          var to = { ArrowRight: (k + 1) % n, ArrowLeft: (k + n - 1) % n, Home: 0, End: n - 1 }[e.key];
          if (to === undefined) return;
          e.preventDefault();
          group.buttons[to].focus();
          group.buttons[to].click();
        });
      });
      box.insertBefore(list, box.firstChild);
      box.classList.add("tabbed");
      groups.push(group);
      select(group, 0);
    });
    if (!groups.length) return;
    var stored = null;
    try { stored = localStorage.getItem(TAB_KEY); } catch (e) { /* storage off */ }
    if (stored) chooseName(stored);
    function showTarget() {
      var id;
      try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; /* not a fragment we wrote */ }
      var target = id && document.getElementById(id);
      if (!target) return;
      groups.forEach(function (group) {
        group.panels.forEach(function (panel, k) {
          if (panel.hidden && panel.contains(target)) {
            select(group, k);
            target.scrollIntoView();
          }
        });
      });
    }
    window.addEventListener("hashchange", showTarget);
    showTarget();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupTabs();
    setupThemeChoice();
    setupTermPages();
    setupDiagramSize();
    setupSearch();
    // On a phone the filters start folded so the list comes first.
    var filters = document.querySelector("details.filters");
    if (filters && window.matchMedia("(max-width: 860px)").matches) filters.open = false;
    setupSidebar();
    var toc = document.querySelector("nav.toc");
    if (toc) foldable(toc, toc.querySelector(".toc-toggle"));
    setupCopyButtons();
    setupFacets();
    setupTableFilters();
    fittableMaps();
    centreMaps();
  });
})();
