import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNumber } from "../../src/dashboard/charts";
import { type Column, Table } from "../../src/dashboard/table";
import { type Figure, Totals } from "../../src/dashboard/totals";
import { type Cell, elementsOf, htmlOf } from "../helpers/html";

/**
 * The dashboard's components as properties over arbitrary content: a Table has a header cell per
 * column and a cell per row and column, row headers where asked, numbers formatted and aligned,
 * everything escaped; Totals shows each figure under its label, formatted, marked and linked.
 */

const SEED = 20_261_126;
const hostile = fc.string({ unit: fc.constantFrom("a", "Z", "<", ">", "&", '"', "'", " ", "é", "1"), maxLength: 12 });
const number = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true }));

interface Row {
  name: string;
  count: number;
}
const columnSpec = fc.record({
  header: hostile,
  field: fc.constantFrom("name", "count") as fc.Arbitrary<keyof Row>,
  numeric: fc.boolean(),
  rowHeader: fc.boolean(),
});

/** The table's header cells, and its body as rows of cells. */
async function readTable(html: string): Promise<{ head: Cell[]; body: Cell[][] }> {
  const head = await elementsOf(html, "thead th");
  const body: Cell[][] = [];
  const cells = await elementsOf(html, "tbody tr > *");
  const perRow = await elementsOf(html, "tbody tr");
  let next = 0;
  for (const _ of perRow) body.push([]);
  // Rows have the same number of cells: split them in order.
  const width = perRow.length === 0 ? 0 : cells.length / perRow.length;
  for (const row of body) for (let i = 0; i < width; i++) row.push(cells[next++] as Cell);
  return { head, body };
}

describe("Table", () => {
  it("renders a header cell per column and a cell per row and column, formatted, aligned and escaped", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(columnSpec, { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ name: hostile, count: number }), { maxLength: 8 }),
        fc.option(hostile, { nil: undefined }),
        async (specs, rows, caption) => {
          const columns: Column<Row>[] = specs.map((spec) => ({ ...spec, cell: (row: Row) => row[spec.field] }));
          const html = await htmlOf(Table({ columns, rows, caption, id: "t" }));
          const [table] = await elementsOf(html, "div.scroll > table");
          expect(table?.attributes.id).toBe("t");
          const captions = await elementsOf(html, "table > caption");
          expect(captions.map((c) => c.text)).toEqual(caption === undefined ? [] : [caption]);
          const { head, body } = await readTable(html);
          expect(head.map((th) => th.text)).toEqual(specs.map((spec) => spec.header));
          for (const [i, th] of head.entries()) {
            expect(th.attributes).toEqual({ scope: "col", ...(specs[i]?.numeric ? { class: "n" } : {}) });
          }
          expect(body).toHaveLength(rows.length);
          for (const [r, cells] of body.entries()) {
            expect(cells).toHaveLength(specs.length);
            for (const [i, cell] of cells.entries()) {
              const spec = specs[i] as (typeof specs)[number];
              const value = (rows[r] as Row)[spec.field];
              expect(cell.tag).toBe(spec.rowHeader ? "th" : "td");
              expect(cell.attributes).toEqual({
                ...(spec.rowHeader ? { scope: "row" } : {}),
                ...(spec.numeric ? { class: "n" } : {}),
              });
              expect(cell.text).toBe(typeof value === "number" ? formatNumber(value) : value);
            }
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("shows the empty-state message instead of a table with no rows, and the bare table without one", async () => {
    const columns: Column<Row>[] = [{ header: "Name", rowHeader: true, cell: (row) => row.name }];
    const empty = await htmlOf(Table({ columns, rows: [], empty: "Nothing <yet>: send one." }));
    expect(await elementsOf(empty, "table")).toEqual([]);
    expect((await elementsOf(empty, "div.card.empty")).map((div) => div.text)).toEqual(["Nothing <yet>: send one."]);
    const bare = await htmlOf(Table({ columns, rows: [] }));
    expect((await readTable(bare)).head.map((th) => th.text)).toEqual(["Name"]);
    expect((await readTable(bare)).body).toEqual([]);
    const listed = await htmlOf(Table({ columns, rows: [{ name: "a", count: 1 }], empty: "Nothing yet." }));
    expect(listed).not.toContain("Nothing yet.");
  });
});

describe("Totals", () => {
  const figure: fc.Arbitrary<Figure> = fc.record(
    {
      label: hostile,
      value: number,
      id: fc.constantFrom("a", "b-c"),
      approximate: fc.boolean(),
      href: fc.constantFrom("/dashboard/drops?app=x&from=2026-01-01"),
      tone: fc.constantFrom("ok", "bad") as fc.Arbitrary<"ok" | "bad">,
    },
    { requiredKeys: ["label", "value"] },
  );

  it("shows each figure under its label, formatted, marked as an estimate, toned and linked as asked", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(figure, { maxLength: 5 }), async (figures) => {
        const html = await htmlOf(Totals({ figures }));
        const labels = await elementsOf(html, "dl.totals > div > dt");
        const values = await elementsOf(html, "dl.totals > div > dd");
        const links = await elementsOf(html, "dl.totals > div > dd > a");
        expect(labels.map((dt) => dt.text)).toEqual(figures.map((f) => f.label));
        expect(values.map((dd) => dd.text)).toEqual(
          figures.map((f) => `${f.approximate ? "≈ " : ""}${formatNumber(f.value)}`),
        );
        for (const [i, dd] of values.entries()) {
          const f = figures[i] as Figure;
          expect(dd.attributes).toEqual({ ...(f.id ? { id: f.id } : {}), ...(f.tone ? { class: f.tone } : {}) });
        }
        expect(links.map((a) => [a.attributes.href, a.text])).toEqual(
          figures.filter((f) => f.href).map((f) => [f.href, formatNumber(f.value)]),
        );
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
