#!/usr/bin/env node
// The layering rules of src/, checked in CI (`npm run lint`):
//   - shared plumbing imports no feature: lib/ imports only lib/; http/ imports only http/ and lib/;
//   - feature folders do not import each other in a loop (the folder graph is acyclic);
//   - nothing imports the Worker's entry files at the top of src/ (index.ts, app.ts, …);
//   - no file-level import cycle anywhere.
// `--graph` prints the folder graph. Exit code 1 when a rule is broken.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "./lib/cli.mjs";

const { values } = parseCommandLine(
  `usage: node scripts/check-imports.mjs [--graph]   (run by npm run lint)
  Checks the layering rules of src/ (exit 1 when one is broken); --graph also prints the folder graph.`,
  { options: { graph: { type: "boolean", default: false } } },
);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const SHARED = { lib: ["lib"], http: ["http", "lib"] };
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

/** The folder a file belongs to: its first directory under src/, or "(entry)" for top-level files. */
function folderOf(file) {
  const parts = relative(SRC, file).split("/");
  return parts.length === 1 ? "(entry)" : parts[0];
}

const graph = new Map();
for (const file of files(SRC)) {
  const source = readFileSync(file, "utf8");
  const targets = [];
  for (const match of source.matchAll(IMPORT)) {
    const target = resolveImport(file, match[1] ?? match[2]);
    if (target?.startsWith(SRC)) targets.push(target);
  }
  graph.set(file, targets);
}

const problems = [];
const folderEdges = new Map();
for (const [file, targets] of graph) {
  const from = folderOf(file);
  for (const target of targets) {
    const to = folderOf(target);
    if (from === to) continue;
    const where = `${relative(SRC, file)} → ${relative(SRC, target)}`;
    if (SHARED[from] && !SHARED[from].includes(to)) problems.push(`shared ${from}/ imports ${to}/: ${where}`);
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
  problems.push(`file cycle: ${component.map((f) => relative(SRC, f)).join(" ↔ ")}`);
}

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
  `imports ok: ${graph.size} files in ${folders.length} folders, no cycle, shared plumbing imports no feature`,
);
