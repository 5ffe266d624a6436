#!/usr/bin/env node
// `npm run openapi:check` (CI): builds the Worker's HTTP app for Node (esbuild), generates its
// OpenAPI document exactly as GET /openapi.json does, and validates it against the OpenAPI 3.1
// schema with @seriousme/openapi-schema-validator. Exits 1 naming each problem. `--print`
// writes the document to stdout.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import { build } from "esbuild";
import { parseCommandLine } from "./lib/cli.mjs";
import { ROOT } from "./lib/wrangler.mjs";

const { values } = parseCommandLine(
  `usage: npm run openapi:check [-- --print]
  Validates the OpenAPI 3.1 document the Worker serves (GET /openapi.json); --print writes it to stdout.`,
  { options: { print: { type: "boolean", default: false } } },
);

const dir = mkdtempSync(join(tmpdir(), "edgehog-openapi-"));
try {
  const outfile = join(dir, "reference.mjs");
  await build({
    stdin: {
      contents: `export { wholeApp } from "./src/app.ts"; export { openApiDocument } from "./src/reference/document.ts";`,
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    external: ["cloudflare:*"],
    jsx: "automatic",
    jsxImportSource: "hono/jsx",
    logLevel: "error",
  });
  const { wholeApp, openApiDocument } = await import(pathToFileURL(outfile).href);
  // The whole app, every part loaded on first use included, as GET /openapi.json describes it.
  const document = openApiDocument(await wholeApp());
  if (values.print) console.log(JSON.stringify(document, null, 2));
  const result = await new Validator().validate(document);
  const operations = Object.values(document.paths ?? {}).reduce((n, item) => n + Object.keys(item).length, 0);
  if (!result.valid) {
    console.error(`✗ the OpenAPI document is not valid OpenAPI ${document.openapi}:`);
    for (const error of [result.errors].flat()) console.error(`  ${JSON.stringify(error)}`);
    process.exit(1);
  }
  console.error(
    `✓ OpenAPI ${document.openapi}: ${operations} operations on ${Object.keys(document.paths).length} paths, valid`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
