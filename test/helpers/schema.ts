/** Splits schema.sql into statements (it has no semicolons inside strings or triggers). */
export function schemaStatements(schema: string): string[] {
  return schema
    .replace(/--[^\n]*/g, "")
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
