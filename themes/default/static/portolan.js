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

  function values(row, facet) {
    var raw = row.getAttribute("data-f-" + facet) || "";
    return raw === "" ? [] : raw.split("|");
  }

  function setupFacets() {
    var table = document.getElementById("doc-table");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr.doc-row"));
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".facet input[type=checkbox]"));
    var shown = document.getElementById("shown-count");
    var empty = document.querySelector(".no-results");
    var clear = document.querySelector(".clear-filters");

    function selected() {
      var byFacet = {};
      boxes.forEach(function (box) {
        if (box.checked) (byFacet[box.name] = byFacet[box.name] || []).push(box.value);
      });
      return byFacet;
    }

    // A row matches when, for every facet with a selection, it has one of
    // the selected values (OR inside a facet, AND across facets).
    function matches(row, byFacet, except) {
      return Object.keys(byFacet).every(function (facet) {
        if (facet === except) return true;
        var have = values(row, facet);
        return byFacet[facet].some(function (v) { return have.indexOf(v) !== -1; });
      });
    }

    function apply() {
      var byFacet = selected();
      var count = 0;
      rows.forEach(function (row) {
        var ok = matches(row, byFacet, null);
        row.hidden = !ok;
        if (ok) count += 1;
      });
      if (shown) shown.textContent = String(count);
      if (empty) empty.hidden = count !== 0;
      if (clear) clear.hidden = Object.keys(byFacet).length === 0;
      // Counts say how many documents each value would show.
      boxes.forEach(function (box) {
        var n = rows.filter(function (row) {
          return matches(row, byFacet, box.name) && values(row, box.name).indexOf(box.value) !== -1;
        }).length;
        var label = box.closest("label");
        var counter = label && label.querySelector(".count");
        if (counter) counter.textContent = String(n);
        if (label) label.classList.toggle("empty", n === 0 && !box.checked);
      });
      var params = new URLSearchParams(window.location.search);
      boxes.forEach(function (box) { params.delete("f." + box.name); });
      Object.keys(byFacet).forEach(function (facet) {
        byFacet[facet].forEach(function (v) { params.append("f." + facet, v); });
      });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    var initial = new URLSearchParams(window.location.search);
    boxes.forEach(function (box) {
      if (initial.getAll("f." + box.name).indexOf(box.value) !== -1) box.checked = true;
      box.addEventListener("change", apply);
    });
    if (clear) clear.addEventListener("click", function () {
      boxes.forEach(function (box) { box.checked = false; });
      apply();
    });

    document.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-sort");
        var descending = button.getAttribute("aria-sort") === "ascending";
        document.querySelectorAll("button.sort").forEach(function (b) { b.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.querySelector("tbody");
        rows.sort(function (a, b) {
          var x = (a.getAttribute("data-" + key) || "").toLowerCase();
          var y = (b.getAttribute("data-" + key) || "").toLowerCase();
          return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    apply();
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

  document.addEventListener("DOMContentLoaded", function () {
    setupThemeChoice();
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
    centreMaps();
  });
})();
