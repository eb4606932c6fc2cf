// Drives `portolan mcp` with the official MCP TypeScript SDK, as an agent's
// client would: handshake, tools, resources, every tool on the example
// catalog, an edit seen by the next call, and clean errors for bad calls.
//
//   node tests/mcp/client.mjs <portolan binary> <site root>
//
// Exits non-zero with the failed assertion on stderr.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";

const [binary, root] = process.argv.slice(2);
// A guard against a hung server, not a speed check: generous on any machine.
setTimeout(() => {
  console.error("FAIL: the MCP session did not finish within 10 minutes");
  process.exit(2);
}, 600_000).unref();

const transport = new StdioClientTransport({
  command: binary,
  args: ["mcp", "--root", root],
  stderr: "pipe",
  env: { ...process.env, PORTOLAN_DIAGRAMS: "off" },
});
let stderr = "";
transport.stderr.on("data", (chunk) => (stderr += chunk));
const transportErrors = [];
transport.onerror = (e) => transportErrors.push(String(e));

const client = new Client({ name: "portolan-test", version: "1.0.0" });
await client.connect(transport);

const json = (result) => {
  assert.ok(!result.isError, `tool error: ${result.content?.[0]?.text}`);
  assert.equal(result.content[0].type, "text");
  return JSON.parse(result.content[0].text);
};
const call = (name, args) => client.callTool({ name, arguments: args });
const toolError = async (name, args, pattern) => {
  const result = await call(name, args);
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should be a tool error`);
  assert.match(result.content[0].text, pattern);
  return result.content[0].text;
};

// --- handshake and listings
assert.equal(client.getServerVersion().name, "portolan");
assert.ok(client.getInstructions().includes("get_document"));
const { tools } = await client.listTools();
assert.deepEqual(
  tools.map((t) => t.name).sort(),
  ["agent_brief", "check", "get_document", "impact", "list_documents", "search", "system"],
);
for (const t of tools) {
  assert.equal(t.inputSchema.type, "object", t.name);
  assert.ok(t.description.length > 60, `${t.name} says what it does`);
  assert.equal(t.annotations.readOnlyHint, true, t.name);
}
assert.deepEqual(tools.find((t) => t.name === "search").inputSchema.required, ["query"]);

const docsOnDisk = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".md")) docsOnDisk.push(path.relative(path.join(root, "content"), p));
  }
};
walk(path.join(root, "content"));
const { resources } = await client.listResources();
assert.equal(resources.length, docsOnDisk.length, "one resource per document");
for (const r of resources) {
  assert.ok(r.uri.startsWith("portolan://doc/"), r.uri);
  assert.equal(r.mimeType, "text/markdown");
  assert.ok(r.title, `${r.uri} has a title`);
}
const { resourceTemplates } = await client.listResourceTemplates();
assert.ok(resourceTemplates.some((t) => t.uriTemplate === "portolan://id/{id}"));

const stripe = await client.readResource({ uri: "portolan://doc/payments/stripe-payments.md" });
assert.equal(stripe.contents[0].mimeType, "text/markdown");
assert.match(stripe.contents[0].text, /^# Stripe Card Payments Integration/);
assert.ok(!stripe.contents[0].text.includes("\n---\ntitle:"), "no frontmatter in the markdown");
const byId = await client.readResource({ uri: "portolan://id/INT-002" });
assert.match(byId.contents[0].text, /Twilio/);

// --- search
const refunds = json(await call("search", { query: "refund" }));
assert.ok(refunds.results.length >= 3, "refund finds several documents");
assert.ok(refunds.total >= refunds.results.length);
for (const r of refunds.results) {
  assert.ok(r.title && r.url.startsWith("https://") && r.path.endsWith(".md") && r.excerpt, JSON.stringify(r));
}
const scores = refunds.results.map((r) => r.score);
assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
const limited = json(await call("search", { query: "refund", limit: 2 }));
assert.equal(limited.results.length, 2);
// An exact id ranks its document first.
const int3 = json(await call("search", { query: "INT-003" }));
assert.equal(int3.results[0].path, "messaging/sendgrid-email.md");
// Filters narrow to what the other tools say.
const support = json(await call("agent_brief", { agent: "CustomerSupportAgent" }));
const supportPaths = new Set(support.documents.map((d) => d.path));
const filtered = json(await call("search", { query: "refund", agent: "CustomerSupportAgent" }));
assert.ok(filtered.results.length > 0);
for (const r of filtered.results) assert.ok(supportPaths.has(r.path), `${r.path} is the agent's`);
const bySystem = json(await call("search", { query: "payment", system: "Stripe" }));
const stripeSystem = json(await call("system", { system: "stripe" }));
for (const r of bySystem.results) assert.ok(stripeSystem.documents.includes(r.path), r.path);

// --- get_document by path, id, URL and title
const doc = json(await call("get_document", { document: "payments/stripe-payments.md" }));
assert.equal(doc.title, "Stripe Card Payments Integration");
assert.match(doc.markdown, /^# Stripe Card Payments Integration/);
assert.ok(doc.systems.some((s) => s.id === "stripe"), "the systems it connects");
assert.ok(Array.isArray(doc.related) && Array.isArray(doc.referenced_by));
assert.ok(Array.isArray(doc.diagnostics));
assert.ok(doc.fields.title, "frontmatter fields");
for (const ref of [doc.url, doc.url + "index.html.md", doc.title.toLowerCase(), "content/payments/stripe-payments.md"]) {
  assert.equal(json(await call("get_document", { document: ref })).path, doc.path, ref);
}
assert.equal(json(await call("get_document", { document: "INT-001" })).path, "crm/hubspot-marketing.md");

// --- list_documents, paged
const page1 = json(await call("list_documents", { limit: 5 }));
assert.equal(page1.total, docsOnDisk.length);
assert.equal(page1.documents.length, 5);
assert.equal(page1.next_offset, 5);
const titles = [];
for (let offset = 0; offset !== null; ) {
  const page = json(await call("list_documents", { limit: 5, offset }));
  titles.push(...page.documents.map((d) => d.title));
  offset = page.next_offset;
}
assert.equal(titles.length, docsOnDisk.length, "pages cover every document once");
assert.equal(new Set(titles).size, titles.length);
const pairs = json(await call("list_documents", { type: "System pair" }));
assert.ok(pairs.total >= 1 && pairs.documents.every((d) => d.type === "System pair"));
assert.equal(json(await call("list_documents", { has_errors: true })).total, 0, "the example is clean");

// --- agent_brief
assert.ok(support.description.length > 0);
assert.ok(support.context_pack.endsWith("/agents/CustomerSupportAgent/context.md"));
assert.ok(support.documents.some((d) => d.notes.length > 0), "notes for the agent");

// --- system and impact
assert.ok(stripeSystem.inbound.length + stripeSystem.outbound.length > 0);
assert.ok(stripeSystem.page.endsWith("/systems/stripe/"));
const impact = json(await call("impact", { system: "Payments service", depth: 2 }));
assert.equal(impact.system.id, "payments");
assert.ok(impact.downstream.length + impact.upstream.length > 0);
assert.ok(impact.downstream.every((r) => r.depth <= 2));

// --- check
const clean = json(await call("check", {}));
assert.equal(clean.errors, 0);
assert.equal(clean.documents, docsOnDisk.length);

// --- an edit is seen by the next call
const edited = path.join(root, "content/payments/stripe-payments.md");
const original = fs.readFileSync(edited, "utf8");
fs.writeFileSync(edited, original + "\nZanzibarquux settlement note. See [the missing page](nowhere-at-all.md).\n");
const found = json(await call("search", { query: "Zanzibarquux" }));
assert.equal(found.results[0]?.path, "payments/stripe-payments.md", "the new word is found at once");
const broken = json(await call("check", { file: "payments/stripe-payments.md" }));
assert.ok(broken.errors + broken.warnings >= 1, "the broken link is reported");
assert.ok(broken.diagnostics.some((d) => d.message.includes("nowhere-at-all.md")));
assert.ok(broken.diagnostics.every((d) => d.file === "content/payments/stripe-payments.md"));
fs.writeFileSync(path.join(root, "content/payments/new-gateway.md"), "---\ntitle: Quuxpay Gateway\ntags: [payments]\n---\n\n# Quuxpay Gateway\n\nCards through Quuxpay.\n");
assert.equal(json(await call("list_documents", {})).total, docsOnDisk.length + 1, "a new document is listed");
assert.equal(json(await call("search", { query: "Quuxpay" })).results[0]?.path, "payments/new-gateway.md");
fs.unlinkSync(path.join(root, "content/payments/new-gateway.md"));
fs.writeFileSync(edited, original);
assert.equal(json(await call("list_documents", {})).total, docsOnDisk.length, "a deleted document is gone");
assert.equal(json(await call("search", { query: "Zanzibarquux" })).results.length, 0);
assert.equal(json(await call("check", {})).errors, 0);

// --- bad calls: clean errors, the server stays up
await toolError("get_document", { document: "../../../etc/passwd" }, /no document matches/);
await toolError("get_document", { document: "/etc/passwd" }, /no document matches/);
await toolError("get_document", {}, /bad arguments for `get_document`.*document/);
await toolError("search", { query: 5 }, /bad arguments for `search`/);
await toolError("search", { query: "x", colour: "red" }, /unknown field `colour`/);
await toolError("search", { query: "x", agent: "CustomerSupport" }, /did you mean `CustomerSupportAgent`/);
await toolError("agent_brief", { agent: "SystemArchitect" }, /did you mean `SystemArchitectAgent`/);
await toolError("system", { system: "Strip" }, /no system `Strip`; did you mean/);
await toolError("impact", { system: "stripe", depth: 99 }, /depth must be from 1 to 10/);
await toolError("check", { file: "../site.toml" }, /no document or file/);
await assert.rejects(call("no_such_tool", {}), (e) => e instanceof McpError && /no tool `no_such_tool`/.test(e.message));
await assert.rejects(
  client.readResource({ uri: "portolan://doc/../../etc/passwd" }),
  (e) => e instanceof McpError && /no document at/.test(e.message),
);
await assert.rejects(client.readResource({ uri: "file:///etc/passwd" }), McpError);
assert.equal(json(await call("check", {})).errors, 0, "still answering");

await client.close();
assert.deepEqual(transportErrors, [], "stdout carried protocol messages only");
assert.match(stderr, /portolan mcp: \d+ documents .* ready in \d+ ms/);
console.log(`ok: ${tools.length} tools, ${resources.length} resources`);
