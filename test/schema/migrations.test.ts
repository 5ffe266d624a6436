import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/**
 * schema.sql is the readable whole; migrations/ is what databases are built and upgraded with.
 * Applying every migration (test/setup.ts) must give exactly the tables, columns, keys and
 * indexes that applying schema.sql to an empty database gives.
 */

/** Statements of a SQL file without triggers or semicolons inside strings, as ours are. */
function statements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, "")
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** Every table, column, key and index of a database, compared by structure rather than by SQL text. */
async function structure(db: D1Database) {
  const rows = async (sql: string) => (await db.prepare(sql).all()).results;
  const ours = (t: string) =>
    `${t}.name NOT LIKE 'sqlite_%' AND ${t}.name NOT LIKE '_cf_%' AND ${t}.name <> 'd1_migrations'`;
  return {
    tables: await rows(
      `SELECT t.name, t.type, t.wr, t.strict FROM pragma_table_list AS t
       WHERE t.schema = 'main' AND ${ours("t")} ORDER BY t.name`,
    ),
    columns: await rows(
      `SELECT m.name AS tbl, c.* FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS c
       WHERE m.type = 'table' AND ${ours("m")} ORDER BY m.name, c.cid`,
    ),
    indexes: await rows(
      `SELECT m.name AS tbl, i.name, i.[unique], i.origin, i.partial, group_concat(k.name, ',') AS cols
       FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS i JOIN pragma_index_info(i.name) AS k
       WHERE m.type = 'table' AND ${ours("m")} GROUP BY m.name, i.name ORDER BY m.name, i.name`,
    ),
    foreignKeys: await rows(
      `SELECT m.name AS tbl, f.* FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
       WHERE m.type = 'table' AND ${ours("m")} ORDER BY m.name, f.id, f.seq`,
    ),
  };
}

describe("migrations/ and schema.sql", () => {
  it("build the same database", async () => {
    await env.SCHEMA_DB.batch(statements(env.TEST_SCHEMA).map((sql) => env.SCHEMA_DB.prepare(sql)));
    const fromMigrations = await structure(env.DB);
    const fromSchema = await structure(env.SCHEMA_DB);
    expect(fromMigrations.tables.length).toBeGreaterThan(10);
    expect(fromMigrations).toEqual(fromSchema);
  });

  it("records every migration as applied, so a deploy applies none twice", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM d1_migrations ORDER BY id").all<{ name: string }>();
    expect(results.map((row) => row.name)).toEqual(env.TEST_MIGRATIONS.map((migration) => migration.name));
  });
});
