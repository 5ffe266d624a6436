import { env } from "cloudflare:workers";
import { archivedEvents } from "./queue";

/** A string the collector stores, and where: a D1 table's column, or a path in an archived event. */
export interface StoredString {
  table: string;
  column: string;
  value: string;
}

/** Every string stored: in every D1 table, and in every line of the raw-event archive (R2), names included. */
export async function allStoredStrings(): Promise<StoredString[]> {
  const tables = (
    await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
    ).all<{ name: string }>()
  ).results;
  const found: StoredString[] = [];
  for (const { name } of tables) {
    for (const row of (await env.DB.prepare(`SELECT * FROM ${name}`).all<Record<string, unknown>>()).results) {
      for (const [column, value] of Object.entries(row))
        if (typeof value === "string") found.push({ table: name, column, value });
    }
  }
  for (const event of await archivedEvents()) found.push(...stringsOf(event, "archive", "event"));
  return found;
}

/** Every string in a JSON value, property names included. */
export function stringsOf(value: unknown, table: string, column: string): StoredString[] {
  if (typeof value === "string") return [{ table, column, value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => [
    { table, column: `${column}.(name)`, value: key },
    ...stringsOf(item, table, `${column}.${key}`),
  ]);
}
