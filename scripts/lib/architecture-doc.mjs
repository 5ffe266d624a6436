// @ts-check
// docs/ARCHITECTURE.md held to the code, by scripts/check-imports.mjs (`npm run lint`): the
// layout block ("## Layout", the first fenced block under it) names every folder and entry file
// of src/ and nothing else, and the list of arrows (the fenced block after "The arrows today")
// is the folder import graph, arrow for arrow. Each arrow line reads
// `folder → target, target (why)`, or `folder → (nothing)`; every folder has its line.

/**
 * @typedef {object} ArchitectureDoc
 * @property {string[]} folders the `src/<folder>/` entries of the layout block
 * @property {string[]} entries the `src/<file>` entries of the layout block (top-level files)
 * @property {Map<string, string[]> | null} arrows each folder's targets, or null when the list is missing
 * @property {string[]} malformed arrow lines that do not read `folder → targets`
 */

/**
 * The lines of the first fenced block after the first line `start` matches, or null.
 * @param {string[]} lines
 * @param {RegExp} start
 * @returns {string[] | null}
 */
function fencedBlockAfter(lines, start) {
  const from = lines.findIndex((line) => start.test(line));
  if (from < 0) return null;
  const open = lines.findIndex((line, i) => i > from && line.startsWith("```"));
  if (open < 0) return null;
  const close = lines.findIndex((line, i) => i > open && line.startsWith("```"));
  return lines.slice(open + 1, close < 0 ? undefined : close);
}

const ARROW = /^(\S+)\s+→\s+([^(]*?)\s*(\(.*\))?\s*$/;

/**
 * Reads what docs/ARCHITECTURE.md says of the layout and the arrows.
 * @param {string} text the document
 * @returns {ArchitectureDoc}
 */
export function parseArchitecture(text) {
  const lines = text.split("\n");
  const layout = fencedBlockAfter(lines, /^## Layout/) ?? [];
  const folders = layout.flatMap((line) => /^src\/([^/\s]+)\/(?:\s|$)/.exec(line)?.[1] ?? []);
  const entries = layout.flatMap((line) => /^src\/([^/\s]+\.[a-z]+)(?:\s|$)/.exec(line)?.[1] ?? []);
  const block = fencedBlockAfter(lines, /The arrows today/);
  /** @type {string[]} */
  const malformed = [];
  if (block === null) return { folders, entries, arrows: null, malformed };
  /** @type {Map<string, string[]>} */
  const arrows = new Map();
  for (const line of block.filter((l) => l.trim() !== "")) {
    const match = ARROW.exec(line.trim());
    if (!match?.[1] || arrows.has(match[1])) {
      malformed.push(line.trim());
      continue;
    }
    const targets = (match[2] ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    arrows.set(match[1], targets);
  }
  return { folders, entries, arrows, malformed };
}

/**
 * What the document and the code disagree on, one sentence each (none when they agree).
 * @param {ArchitectureDoc} doc
 * @param {{ folders: string[], entries: string[], edges: Map<string, Set<string>> }} code src/'s
 *   folders and top-level files, and the folder graph (every folder a key, entry files left out)
 * @returns {string[]}
 */
export function architectureProblems(doc, code) {
  const problems = [];
  /** @param {(name: string) => string} path @param {string[]} said @param {string[]} is */
  const differ = (path, said, is) => {
    for (const name of is)
      if (!said.includes(name)) problems.push(`${path(name)} is not in docs/ARCHITECTURE.md's layout`);
    for (const name of said)
      if (!is.includes(name)) problems.push(`docs/ARCHITECTURE.md's layout names ${path(name)}, which does not exist`);
  };
  differ((name) => `src/${name}/`, doc.folders, code.folders);
  differ((name) => `src/${name}`, doc.entries, code.entries);
  if (doc.arrows === null) {
    problems.push('docs/ARCHITECTURE.md has no list of arrows (a fenced block after "The arrows today")');
    return problems;
  }
  for (const line of doc.malformed)
    problems.push(`docs/ARCHITECTURE.md: an arrow line that does not read "folder → targets": ${line}`);
  for (const [from, targets] of code.edges) {
    const said = doc.arrows.get(from);
    if (said === undefined) {
      problems.push(
        `docs/ARCHITECTURE.md lists no arrows of ${from} (${[...targets].sort().join(", ") || "(nothing)"})`,
      );
      continue;
    }
    for (const to of targets)
      if (!said.includes(to)) problems.push(`${from} → ${to} is in the code, not in docs/ARCHITECTURE.md`);
    for (const to of said)
      if (!targets.has(to)) problems.push(`docs/ARCHITECTURE.md says ${from} → ${to}, which the code does not import`);
  }
  for (const from of doc.arrows.keys()) {
    if (!code.edges.has(from)) problems.push(`docs/ARCHITECTURE.md lists arrows of ${from}, which is no folder`);
  }
  return problems;
}
