// portolan's mermaid renderer: one browser, several reused pages, and a
// fresh mermaid for every diagram. Definitions arrive as JSON lines on stdin
// ({"id", "definition"}); each answer is one JSON line on stdout
// ({"id", "svg", "title", "desc"} or {"id", "error"}). One broken or hung
// diagram never takes the others down.
//
// A diagram's SVG must depend on its definition alone: cold builds, cached
// builds and serve write the same bytes. mermaid keeps counters in its
// modules (sequence actors, gantt tasks, class ids...), draws with
// Math.random, and reads the clock (gantt's today, id prefixes). So every
// diagram renders in a new iframe, whose modules are evaluated afresh, with
// a seeded random source and a clock that starts at the same instant and
// ticks once per reading. The modules come from a server on 127.0.0.1 with
// immutable caching, so a new iframe costs an evaluation, not a download.
//
// argv[2] is a JSON config: {cliDir, chromium, args, concurrency, timeoutMs,
// svgId, mermaidConfig}. Everything is resolved from mermaid-cli's own
// installation (cliDir), so this file can live anywhere.
import { readFile } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import url from "node:url";

const config = JSON.parse(process.argv[2]);
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

// Serves the three packages' ES modules, nothing else, to the browser only.
async function startServer(dirs) {
  const server = http.createServer((request, response) => {
    const fail = () => {
      response.writeHead(404);
      response.end();
    };
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
    } catch {
      return fail();
    }
    if (pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return response.end("<!doctype html><html><body></body></html>");
    }
    const [, name, ...rest] = pathname.split("/");
    // Own keys only: "/constructor/…" must not reach Object's.
    const dir = Object.hasOwn(dirs, name) ? dirs[name] : null;
    const file = dir && path.resolve(dir, rest.join("/"));
    if (!file || !file.startsWith(dir + path.sep) || !file.endsWith(".mjs")) return fail();
    readFile(file, (error, data) => {
      if (error) return fail();
      response.writeHead(200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=31536000, immutable",
      });
      response.end(data);
    });
  });
  await new Promise((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(0, "127.0.0.1", resolveListen);
  });
  return server;
}

async function main() {
  const require = createRequire(path.join(config.cliDir, "package.json"));
  const { resolve } = await import(url.pathToFileURL(require.resolve("import-meta-resolve")).href);
  const base = url.pathToFileURL(path.join(config.cliDir, "src", "index.js")).href;
  const distOf = (pkg) => path.dirname(url.fileURLToPath(resolve(pkg, base)));
  const { default: puppeteer } = await import(resolve("puppeteer", base));

  const server = await startServer({
    mermaid: distOf("mermaid"),
    elk: distOf("@mermaid-js/layout-elk"),
    zenuml: distOf("@mermaid-js/mermaid-zenuml"),
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const modules = {
    mermaid: `${origin}/mermaid/mermaid.esm.mjs`,
    elk: `${origin}/elk/mermaid-layout-elk.esm.mjs`,
    zenuml: `${origin}/zenuml/mermaid-zenuml.esm.mjs`,
  };

  // Over a pipe, not a debugging port: Chromium exits when the pipe
  // closes, so a worker that is killed takes its browser with it.
  const browser = await puppeteer.launch({
    executablePath: config.chromium,
    headless: true,
    pipe: true,
    args: config.args,
  });

  async function newPage() {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  async function render(page, job) {
    return page.evaluate(
      async ({ definition, svgId, mermaidConfig, modules }) => {
        // The size of the page mermaid-cli renders in (800 px wide, body
        // margin 8 px): gantt and others take their width from it.
        const frame = document.createElement("iframe");
        frame.style.cssText = "position:absolute;left:0;top:0;width:800px;height:600px;border:0";
        document.body.appendChild(frame);
        try {
          const w = frame.contentWindow;
          w.document.open();
          w.document.write('<!doctype html><html><body><div id="container"></div></body></html>');
          w.document.close();

          // mulberry32, seeded the same for every diagram.
          let state = 0x5eed;
          const random = () => {
            state = (state + 0x6d2b79f5) | 0;
            let t = Math.imul(state ^ (state >>> 15), 1 | state);
            t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
          };
          w.Math.random = random;
          w.crypto.getRandomValues = (array) => {
            const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
            for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
            return array;
          };
          w.crypto.randomUUID = () => {
            const b = w.crypto.getRandomValues(new Uint8Array(16));
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
            return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
          };
          // 2000-01-01T00:00:00Z, a millisecond later at every reading: a
          // loop that waits for time to pass still ends.
          const RealDate = w.Date;
          let ticks = 0;
          const now = () => Date.UTC(2000, 0, 1) + ticks++;
          w.Date = new Proxy(RealDate, {
            construct: (target, args, newTarget) =>
              Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
            apply: () => new RealDate(now()).toString(),
            get: (target, key, receiver) => (key === "now" ? now : Reflect.get(target, key, receiver)),
          });

          const load = new w.Function("u", "return import(u)");
          const { default: mermaid } = await load(modules.mermaid);
          const { default: elk } = await load(modules.elk);
          const { default: zenuml } = await load(modules.zenuml);
          await mermaid.registerExternalDiagrams([zenuml]);
          mermaid.registerLayoutLoaders(elk);
          mermaid.initialize({ startOnLoad: false, ...mermaidConfig });
          const container = w.document.getElementById("container");
          const { svg } = await mermaid.render(svgId, definition, container);
          container.innerHTML = svg;
          const element = container.querySelector("svg");
          // A gantt's "today" line would mark the clock fixed above, not
          // the reader's day: drawn at 2000-01-01, far off any chart.
          if (element.getAttribute("aria-roledescription") === "gantt") {
            element.querySelectorAll("g.today").forEach((g) => g.remove());
          }
          // mermaid draws this as a diagram instead of failing.
          if (element.textContent.includes("Maximum text size in diagram exceeded")) {
            return { error: "the definition is longer than mermaid's maxTextSize (50,000 characters); split the diagram" };
          }
          let title = null;
          let desc = null;
          for (const child of element.children) {
            if (child.tagName === "title" && title === null) title = child.textContent;
            if (child.tagName === "desc" && desc === null) desc = child.textContent;
          }
          // XMLSerializer turns <br> in foreignObject into valid XML.
          return { svg: new w.XMLSerializer().serializeToString(element), title, desc };
        } catch (e) {
          return { error: String((e && e.message) || e) };
        } finally {
          frame.remove();
        }
      },
      { definition: job.definition, svgId: config.svgId, mermaidConfig: config.mermaidConfig, modules },
    );
  }

  const timeout = (ms) =>
    new Promise((resolveTimeout) =>
      setTimeout(() => resolveTimeout({ timedOut: true }), ms),
    );

  const queue = [];
  let inputClosed = false;
  let wake = null;
  const nextJob = async () => {
    while (queue.length === 0) {
      if (inputClosed) return null;
      await new Promise((r) => (wake = r));
    }
    return queue.shift();
  };

  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    queue.push(JSON.parse(line));
    if (wake) { const w = wake; wake = null; w(); }
  });
  lines.on("close", () => {
    inputClosed = true;
    if (wake) { const w = wake; wake = null; w(); }
  });

  const worker = async () => {
    let page = await newPage();
    for (;;) {
      const job = await nextJob();
      if (job === null) break;
      // Tests only: a page stuck in a busy loop, with a limit of its own.
      const hang = config.testHang && job.definition.includes(config.testHang);
      const limitMs = hang ? 1000 : config.timeoutMs;
      const work = hang ? page.evaluate(() => { for (;;) {} }) : render(page, job);
      const result = await Promise.race([work.catch((e) => ({ error: String(e.message || e) })), timeout(limitMs)]);
      if (result.timedOut) {
        // Transient: a timeout is not a verdict on the definition, so it
        // is not cached.
        send({ id: job.id, transient: true, error: `rendering took longer than ${limitMs / 1000} s and was stopped` });
        // The page may be stuck in mermaid's JavaScript: replace it.
        await Promise.race([page.close().catch(() => {}), timeout(2000)]);
        page = await newPage();
        continue;
      }
      send({ id: job.id, ...result });
      // Wake any sibling waiting on an empty queue once input has closed.
      if (inputClosed && wake) { const w = wake; wake = null; w(); }
    }
  };

  send({ ready: true });
  await Promise.all(Array.from({ length: Math.max(1, config.concurrency) }, worker));
  await browser.close();
  server.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    send({ fatal: String((e && e.stack) || e).split("\n")[0] });
    process.exit(1);
  },
);
