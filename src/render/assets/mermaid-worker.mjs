// portolan's mermaid renderer: one browser, several reused pages, mermaid
// loaded once per page. Definitions arrive as JSON lines on stdin
// ({"id", "definition"}); each answer is one JSON line on stdout
// ({"id", "svg", "title", "desc"} or {"id", "error"}). One broken or hung
// diagram never takes the others down.
//
// argv[2] is a JSON config: {cliDir, chromium, args, concurrency, timeoutMs,
// svgId, mermaidConfig}. Everything is resolved from mermaid-cli's own
// installation (cliDir), so this file can live anywhere.
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import url from "node:url";

const config = JSON.parse(process.argv[2]);
const send = (message) => process.stdout.write(JSON.stringify(message) + "\n");

async function main() {
  const require = createRequire(path.join(config.cliDir, "package.json"));
  const { resolve } = await import(url.pathToFileURL(require.resolve("import-meta-resolve")).href);
  const base = url.pathToFileURL(path.join(config.cliDir, "src", "index.js")).href;
  const esm = (pkg, file) =>
    url.pathToFileURL(path.join(path.dirname(url.fileURLToPath(resolve(pkg, base))), file));
  const { default: puppeteer } = await import(resolve("puppeteer", base));
  const { Interceptor } = await import(
    url.pathToFileURL(path.join(config.cliDir, "src", "puppeteerIntercept.js")).href
  );

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
    await page.goto(url.pathToFileURL(path.join(config.cliDir, "dist", "index.html")).href);
    const interceptor = new Interceptor();
    const urls = {
      mermaid: await interceptor.fileUrlToInterceptUrl(esm("mermaid", "mermaid.esm.mjs")),
      elk: await interceptor.fileUrlToInterceptUrl(esm("@mermaid-js/layout-elk", "mermaid-layout-elk.esm.mjs")),
      zenuml: await interceptor.fileUrlToInterceptUrl(esm("@mermaid-js/mermaid-zenuml", "mermaid-zenuml.esm.mjs")),
    };
    page.on("request", interceptor.interceptRequestHandler);
    await page.setRequestInterception(true);
    await page.evaluate(async (urls) => {
      const { default: mermaid } = await import(urls.mermaid);
      const { default: elk } = await import(urls.elk);
      const { default: zenuml } = await import(urls.zenuml);
      await mermaid.registerExternalDiagrams([zenuml]);
      mermaid.registerLayoutLoaders(elk);
      window.__portolanMermaid = mermaid;
    }, urls);
    return page;
  }

  async function render(page, job) {
    return page.evaluate(
      async ({ definition, svgId, mermaidConfig }) => {
        const mermaid = window.__portolanMermaid;
        const container = document.getElementById("container");
        mermaid.initialize({ startOnLoad: false, ...mermaidConfig });
        try {
          const { svg } = await mermaid.render(svgId, definition, container);
          container.innerHTML = svg;
          const element = container.querySelector("svg");
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
          return { svg: new XMLSerializer().serializeToString(element), title, desc };
        } catch (e) {
          return { error: String((e && e.message) || e) };
        } finally {
          container.innerHTML = "";
          for (const id of [svgId, "d" + svgId, "i" + svgId]) document.getElementById(id)?.remove();
        }
      },
      { definition: job.definition, svgId: config.svgId, mermaidConfig: config.mermaidConfig },
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
}

main().then(
  () => process.exit(0),
  (e) => {
    send({ fatal: String((e && e.stack) || e).split("\n")[0] });
    process.exit(1);
  },
);
