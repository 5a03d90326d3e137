#!/usr/bin/env node
// GraphiQL in headless Chromium against a live dxgraph server: open the GraphiQL page,
// type a query into the editor, run it, read the result pane back.
//
//   node conformance/graphiql.mjs http://127.0.0.1:8000/graphql '{ pillars { code } }' [SCREENSHOT.png]
//
// The machine has no network: any request for another host than the server's is answered
// here, never sent. A request for one of the CDN files Strawberry's GraphiQL page names
// (https://unpkg.com/NAME@VERSION/PATH or cdn.jsdelivr.net/npm/NAME@VERSION/PATH) is
// answered from this directory's node_modules when the same NAME@VERSION is installed (same
// bytes as the CDN's, so the page's integrity hashes still match); anything else is
// aborted. Both are listed in the summary: a server that serves GraphiQL offline makes none.
//
// Prints one JSON summary on stdout: {ok, result, editorText, cdnRequests, blockedRequests,
// consoleErrors, error, timings}. Exit status 0 whatever the result: the caller judges.
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [url, query, screenshot] = process.argv.slice(2);
if (!url || !query) {
  process.stderr.write("usage: node graphiql.mjs GRAPHQL_URL QUERY [SCREENSHOT.png]\n");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const here = dirname(fileURLToPath(import.meta.url));
const serverOrigin = new URL(url).origin;
const started = Date.now();
const timings = {};
const mark = (name) => {
  timings[name] = Date.now() - started;
};

const CDN_PATTERNS = [
  /^https:\/\/unpkg\.com\/((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/,
  /^https:\/\/cdn\.jsdelivr\.net\/npm\/((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/,
];
const CONTENT_TYPES = { ".js": "application/javascript", ".css": "text/css", ".map": "application/json" };

/** The installed file a CDN URL names, or a reason why there is none. */
function localFile(requestUrl) {
  const plain = requestUrl.split(/[?#]/, 1)[0];
  for (const pattern of CDN_PATTERNS) {
    const match = plain.match(pattern);
    if (!match) continue;
    const [, name, version, path] = match;
    const root = join(here, "node_modules", name);
    const manifest = join(root, "package.json");
    if (!existsSync(manifest)) return { reason: `${name} is not installed in conformance/` };
    const installed = JSON.parse(readFileSync(manifest, "utf8")).version;
    if (installed !== version) return { reason: `${name}@${version} wanted, ${installed} installed` };
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) return { reason: `${name} has no ${path}` };
    return { file };
  }
  return { reason: "not a known CDN file" };
}

const summary = {
  ok: false,
  url,
  query,
  result: null,
  editorText: null,
  cdnRequests: [],
  blockedRequests: [],
  consoleErrors: [],
  error: null,
  timings,
};

// A fresh profile, and flags that keep a network-less Chromium from waiting on lookups.
const userDataDir = mkdtempSync(join(tmpdir(), "dxgraph-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    chromiumSandbox: false, // root in CI: Chromium's sandbox needs an unprivileged user
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    viewport: { width: 1280, height: 800 },
    timeout: 30_000,
  });
  mark("launched");
  await context.route("**/*", async (route) => {
    const requestUrl = route.request().url();
    if (requestUrl.startsWith(serverOrigin) || requestUrl.startsWith("data:")) {
      return route.continue();
    }
    const found = localFile(requestUrl);
    if (found.file) {
      summary.cdnRequests.push(requestUrl);
      const ext = found.file.slice(found.file.lastIndexOf("."));
      return route.fulfill({
        status: 200,
        path: found.file,
        contentType: CONTENT_TYPES[ext] ?? "application/octet-stream",
        // the page loads these with `crossorigin`: a CORS response, as the CDN sends
        headers: { "access-control-allow-origin": "*" },
      });
    }
    summary.blockedRequests.push({ url: requestUrl, reason: found.reason });
    return route.abort("blockedbyclient");
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") summary.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => summary.consoleErrors.push(String(error)));

  await page.goto(url, { waitUntil: "load", timeout: 20_000 });
  const editor = page.locator(".graphiql-query-editor .CodeMirror");
  await editor.waitFor({ state: "visible", timeout: 20_000 });
  mark("editor");

  // Replace whatever the editor shows with the query, typed key by key. CodeMirror closes
  // brackets as they open and types over a closing one, so the text comes out as typed.
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(query, { delay: 5 });
  await page.keyboard.press("Escape"); // close an autocompletion popup, if one is open
  summary.editorText = await editor.evaluate((el) => el.CodeMirror.getValue());

  await page.locator(".graphiql-execute-button").click();
  const response = page.locator(".graphiql-response .CodeMirror");
  // The result pane holds JSON once the answer is in (it is empty, or a spinner, before).
  await page.waitForFunction(
    () => {
      const el = document.querySelector(".graphiql-response .CodeMirror");
      const text = el?.CodeMirror?.getValue() ?? "";
      try {
        return typeof JSON.parse(text) === "object";
      } catch {
        return false;
      }
    },
    null,
    { timeout: 20_000 },
  );
  mark("result");
  summary.result = JSON.parse(await response.evaluate((el) => el.CodeMirror.getValue()));
  if (screenshot) await page.screenshot({ path: screenshot });
  summary.ok = true;
} catch (error) {
  summary.error = String(error?.stack ?? error);
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
  mark("closed");
}
process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
