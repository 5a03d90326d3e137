#!/usr/bin/env node
// The graphql-http server audits (GraphQL over HTTP spec) against a live GraphQL URL.
//
//   node conformance/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints one JSON summary on stdout: counts of passed and failed audits per requirement
// level (MUST, SHOULD, MAY) and, for each failure, the audit, graphql-http's reason and
// what the server answered. Exit status 0 whatever the result: judging is the caller's
// job (conformance/audit.py, tests/conformance/test_http_audit.py).
import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  process.stderr.write("usage: node audit.mjs GRAPHQL_URL\n");
  process.exit(2);
}

/** What the server answered, for a failure report; the body may already be read. */
async function describe(response) {
  if (!response) return null;
  let body = null;
  try {
    body = (await response.clone().text()).slice(0, 500);
  } catch {
    body = null; // the audit consumed it
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body,
  };
}

const levels = {
  MUST: { passed: 0, failed: 0 },
  SHOULD: { passed: 0, failed: 0 },
  MAY: { passed: 0, failed: 0 },
};
const failures = [];
const audits = serverAudits({ url });
// One at a time: the audits are small, and a 2-core machine runs the server too.
for (const audit of audits) {
  const level = audit.name.split(" ", 1)[0];
  let result;
  try {
    result = await audit.fn();
  } catch (error) {
    // graphql-http throws only when it cannot audit at all (e.g. the server is down)
    result = { id: audit.id, name: audit.name, status: "error", reason: `audit threw: ${error}` };
  }
  if (result.status === "ok") {
    levels[level].passed += 1;
  } else {
    levels[level].failed += 1;
    failures.push({
      id: result.id,
      name: result.name,
      level,
      status: result.status,
      reason: result.reason,
      response: await describe(result.response),
    });
  }
}

process.stdout.write(JSON.stringify({ url, total: audits.length, levels, failures }, null, 2) + "\n");
