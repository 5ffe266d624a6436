#!/usr/bin/env node
// The layering rules of src/ and of the client SDK's package (packages/client/src), checked in
// CI (`npm run lint`):
//   - shared plumbing imports no feature: lib/ imports only lib/ and the SDK's shared/; http/
//     imports only http/ and lib/;
//   - feature folders do not import each other in a loop (the folder graph is acyclic);
//   - nothing imports the Worker's entry files at the top of src/ (index.ts, app.ts, …);
//   - the SDK has its own root: its files import only its own files and Node's built-ins (no
//     runtime dependency, nothing of the collector); its shared/ (the byte encoders, HMAC, the
//     anonymizer, the usage vocabulary) imports only shared/, and is all the collector may import of it;
//   - no file-level import cycle anywhere;
//   - docs/ARCHITECTURE.md says what is: its layout names src/'s folders and entry files, and its
//     list of arrows is the folder graph, both ways (./lib/architecture-doc.mjs).
// `--graph` prints the folder graph. Exit code 1 when a rule is broken.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { architectureProblems, parseArchitecture } from "./lib/architecture-doc.mjs";
import { parseCommandLine } from "./lib/cli.mjs";

const { values } = parseCommandLine(
  `usage: node scripts/check-imports.mjs [--graph] [--doc <file>]   (run by npm run lint)
  Checks the layering rules of src/, and docs/ARCHITECTURE.md's layout and arrows against them
  (exit 1 when one is broken).
  --graph        also print the folder graph
  --doc <file>   hold this document to the code instead of docs/ARCHITECTURE.md`,
  { options: { graph: { type: "boolean", default: false }, doc: { type: "string" } } },
);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const SDK = join(ROOT, "packages/client/src");
/** The SDK's files, as folders of the graph: its shared/ pieces, and the rest. */
const SDK_SHARED = "sdk:shared";
const SDK_REST = "sdk";
const SHARED = { lib: ["lib", SDK_SHARED], http: ["http", "lib"], [SDK_SHARED]: [SDK_SHARED] };
const IMPORT = /(?:^|\s)(?:import|export)\s[^"'`;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith(".")) return null;
  // The client SDK writes `./x.js` for `./x.ts` (its declarations must resolve under nodenext).
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ""));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve "${specifier}"`);
}

/** The folder a file belongs to: its first directory under src/, "(entry)" for top-level files, or the SDK's. */
function folderOf(file) {
  if (file.startsWith(SDK)) return relative(SDK, file).startsWith("shared/") ? SDK_SHARED : SDK_REST;
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? "(entry)" : parts[0];
}

const problems = [];
const graph = new Map();
for (const file of [...files(SRC), ...files(SDK)]) {
  const source = readFileSync(file, "utf8");
  const targets = [];
  const inSdk = file.startsWith(SDK);
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    const target = resolveImport(file, specifier);
    const where = `${relative(ROOT, file)}: "${specifier}"`;
    if (inSdk && target === null && !specifier.startsWith("node:")) {
      problems.push(`the SDK imports a package (it has no runtime dependency): ${where}`);
    }
    if (inSdk && target !== null && !target.startsWith(SDK)) problems.push(`the SDK imports outside itself: ${where}`);
    if (target?.startsWith(SRC) || target?.startsWith(SDK)) targets.push(target);
  }
  graph.set(file, targets);
}

const folderEdges = new Map();
for (const [file, targets] of graph) {
  const from = folderOf(file);
  for (const target of targets) {
    const to = folderOf(target);
    if (from === to) continue;
    const where = `${relative(ROOT, file)} → ${relative(ROOT, target)}`;
    if (SHARED[from] && !SHARED[from].includes(to)) problems.push(`shared ${from}/ imports ${to}/: ${where}`);
    if (to === SDK_REST && from !== SDK_SHARED)
      problems.push(`the collector imports the SDK beyond its shared/: ${where}`);
    if (to === "(entry)") problems.push(`imports an entry file: ${where}`);
    if (!folderEdges.has(from)) folderEdges.set(from, new Map());
    const edges = folderEdges.get(from);
    edges.set(to, [...(edges.get(to) ?? []), where]);
  }
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(nodes, next) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const visit = (node) => {
    meta.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const to of next(node)) {
      if (!meta.has(to)) {
        visit(to);
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(to).low);
      } else if (meta.get(to).onStack) {
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(to).index);
      }
    }
    if (meta.get(node).low === meta.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        meta.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component);
    }
  };
  for (const node of nodes) if (!meta.has(node)) visit(node);
  return found;
}

const folders = [...new Set([...graph.keys()].map(folderOf))].sort();
for (const component of cycles(folders, (f) => [...(folderEdges.get(f)?.keys() ?? [])])) {
  const inside = new Set(component);
  const arrows = component.flatMap((from) =>
    [...(folderEdges.get(from) ?? [])].filter(([to]) => inside.has(to)).flatMap(([, list]) => list),
  );
  problems.push(`folder cycle ${component.sort().join(" ↔ ")}:\n    ${arrows.join("\n    ")}`);
}
for (const component of cycles([...graph.keys()], (f) => graph.get(f) ?? [])) {
  problems.push(`file cycle: ${component.map((f) => relative(ROOT, f)).join(" ↔ ")}`);
}

const topLevel = readdirSync(SRC, { withFileTypes: true });
problems.push(
  ...architectureProblems(parseArchitecture(readFileSync(values.doc ?? join(ROOT, "docs/ARCHITECTURE.md"), "utf8")), {
    folders: topLevel.filter((entry) => entry.isDirectory()).map((entry) => entry.name),
    entries: topLevel.filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name)).map((entry) => entry.name),
    edges: new Map(folders.filter((f) => f !== "(entry)").map((f) => [f, new Set(folderEdges.get(f)?.keys() ?? [])])),
  }),
);

if (values.graph) {
  for (const from of folders) {
    const to = [...(folderEdges.get(from)?.keys() ?? [])].sort();
    console.log(`${from.padEnd(10)} → ${to.join(", ") || "(nothing)"}`);
  }
}
if (problems.length > 0) {
  console.error(`import rules broken (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `imports ok: ${graph.size} files in ${folders.length} folders, no cycle, shared plumbing imports no feature, docs/ARCHITECTURE.md agrees`,
);
