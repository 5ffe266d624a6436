/**
 * Rows bound to D1 as one JSON array per statement (expanded with json_each) must stay under
 * D1's 2 MB per bound value: serialised rows are joined into arrays cut well below it.
 */
export const MAX_JSON_CHUNK_CHARS = 900_000;

/** One JSON array of serialised rows, and how many rows it holds. */
export interface JsonChunk {
  json: string;
  rows: number;
}

/** Joins serialised rows into JSON arrays of at most `maxChars` characters each (one row may exceed it alone). */
export function jsonArrayChunks(rows: readonly string[], maxChars = MAX_JSON_CHUNK_CHARS): JsonChunk[] {
  const chunks: JsonChunk[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    if (current.length > 0 && size + row.length + 1 > maxChars) {
      chunks.push({ json: `[${current.join(",")}]`, rows: current.length });
      current = [];
      size = 2;
    }
    current.push(row);
    size += row.length + 1;
  }
  if (current.length > 0) chunks.push({ json: `[${current.join(",")}]`, rows: current.length });
  return chunks;
}
