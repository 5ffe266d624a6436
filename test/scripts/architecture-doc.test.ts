import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { architectureProblems, parseArchitecture } from "../../scripts/lib/architecture-doc.mjs";
import { runNode } from "../e2e/run-node";

/**
 * docs/ARCHITECTURE.md held to the code (`npm run lint`, scripts/check-imports.mjs): a folder or
 * an entry file on one side only, and an arrow on one side only, each fail the check — on
 * generated graphs and documents, and on the repository's own document, mutated.
 */

const NAMES = ["admin", "billing", "catalog", "http", "ingest", "lib", "privacy", "usage"];

/** A document whose layout and arrows say exactly what `edges` is. */
function documentOf(edges: Map<string, Set<string>>, entries: string[]): string {
  const layout = [
    ...entries.map((e) => `src/${e}   an entry file`),
    ...[...edges.keys()].map((f) => `src/${f}/   a folder`),
  ];
  const arrows = [...edges].map(([from, to]) => `${from} → ${[...to].join(", ") || "(nothing)"} (why)`);
  return `# x\n\n## Layout\n\n\`\`\`\n${layout.join("\n")}\n\`\`\`\n\nThe arrows today:\n\n\`\`\`text\n${arrows.join("\n")}\n\`\`\`\n`;
}

const graphs = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 2, maxLength: NAMES.length })
  .chain((folders) =>
    fc.record({
      folders: fc.constant(folders),
      targets: fc.array(fc.subarray(folders), { minLength: folders.length, maxLength: folders.length }),
      entries: fc.subarray(["index.ts", "app.ts", "scheduled.ts"]),
    }),
  )
  .map(({ folders, targets, entries }) => ({
    entries,
    edges: new Map(folders.map((f, i) => [f, new Set((targets[i] ?? []).filter((t) => t !== f))])),
  }));

type Graph = { entries: string[]; edges: Map<string, Set<string>> };
const codeOf = (g: Graph) => ({ folders: [...g.edges.keys()], entries: g.entries, edges: g.edges });
const copy = (g: Graph): Graph => ({
  entries: [...g.entries],
  edges: new Map([...g.edges].map(([f, t]) => [f, new Set(t)])),
});

describe("the architecture document's check", () => {
  it("passes a document that says what the code is", () => {
    fc.assert(
      fc.property(graphs, (g) => {
        expect(architectureProblems(parseArchitecture(documentOf(g.edges, g.entries)), codeOf(g))).toEqual([]);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it("fails on a folder, a file or an arrow on one side only", () => {
    const mutations = fc.constantFrom(
      "folder missing from the doc",
      "folder only in the doc",
      "arrow only in the code",
      "arrow only in the doc",
      "file only in the code",
    );
    fc.assert(
      fc.property(graphs, mutations, fc.nat(), (g, mutation, pick) => {
        const doc = copy(g);
        const folders = [...g.edges.keys()];
        const from = folders[pick % folders.length] ?? "";
        const other = folders.find((f) => f !== from && !g.edges.get(from)?.has(f));
        const known = [...(g.edges.get(from) ?? [])][0];
        let expected: RegExp;
        if (mutation === "folder missing from the doc") {
          doc.edges.delete(from);
          expected = new RegExp(`src/${from}/ is not in`);
        } else if (mutation === "folder only in the doc") {
          doc.edges.set("ghost", new Set());
          expected = /names src\/ghost\/, which does not exist/;
        } else if (mutation === "arrow only in the code" && known) {
          doc.edges.get(from)?.delete(known);
          expected = new RegExp(`${from} → ${known} is in the code`);
        } else if (mutation === "arrow only in the doc" && other) {
          doc.edges.get(from)?.add(other);
          expected = new RegExp(`says ${from} → ${other}, which the code does not import`);
        } else {
          doc.entries = doc.entries.filter((e) => e !== "index.ts");
          const code = copy(g);
          code.entries = [...new Set([...code.entries, "index.ts"])];
          const problems = architectureProblems(parseArchitecture(documentOf(doc.edges, doc.entries)), codeOf(code));
          expect(problems.join("\n")).toMatch(/src\/index\.ts is not in/);
          return;
        }
        const problems = architectureProblems(parseArchitecture(documentOf(doc.edges, doc.entries)), codeOf(g));
        expect(problems.join("\n")).toMatch(expected);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it("fails a document without its list of arrows, or with a line that is no arrow", () => {
    const g = { entries: ["index.ts"], edges: new Map([["http", new Set<string>()]]) };
    const text = documentOf(g.edges, g.entries);
    expect(architectureProblems(parseArchitecture(text.replace("The arrows today", "Arrows")), codeOf(g))).toEqual([
      'docs/ARCHITECTURE.md has no list of arrows (a fenced block after "The arrows today")',
    ]);
    expect(
      architectureProblems(parseArchitecture(text.replace("http →", "http imports")), codeOf(g)).join("\n"),
    ).toMatch(/does not read "folder → targets"[\s\S]*lists no arrows of http/);
  });
});

describe("npm run lint on this repository's docs/ARCHITECTURE.md", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgehog-architecture-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const real = readFileSync(new URL("../../docs/ARCHITECTURE.md", import.meta.url), "utf8");
  const check = async (text: string) => {
    const file = join(dir, `doc-${Math.random().toString(36).slice(2)}.md`);
    writeFileSync(file, text);
    return runNode("scripts/check-imports.mjs", ["--doc", file]);
  };

  it("agrees with the code", async () => {
    const { code, stdout } = await check(real);
    expect(stdout).toContain("docs/ARCHITECTURE.md agrees");
    expect(code).toBe(0);
  });

  it.each([
    ["a folder left out of the layout", (t: string) => t.replace(/^src\/home\/.*\n/m, ""), "src/home/ is not in"],
    [
      "a folder that does not exist",
      (t: string) => t.replace(/^(src\/home\/.*\n)/m, "$1src/ghost/  nothing\n"),
      "names src/ghost/",
    ],
    [
      "an arrow the code has, left out",
      (t: string) => t.replace("admin       → http, lib, ratelimit", "admin       → http, lib"),
      "admin → ratelimit is in the code",
    ],
    [
      "an arrow the code does not have",
      (t: string) => t.replace("home        → http", "home        → http, billing"),
      "says home → billing",
    ],
  ])("fails on %s", async (_what, mutate, message) => {
    const text = mutate(real);
    expect(text).not.toBe(real);
    const { code, stderr } = await check(text);
    expect(stderr).toContain(message);
    expect(code).toBe(1);
  });
});
