import type { Context } from "hono";

/**
 * RFC 4180 CSV, and a CSV answered as a download. Fields holding a comma, quote or line break
 * are quoted; fields that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed
 * with a quote character.
 */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `csv` answered as a file to save as `filename` (the API's CSV answers and the dashboard's downloads). */
export function csvDownload(c: Context, filename: string, csv: string): Response {
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${filename}"`);
  return c.body(csv);
}
