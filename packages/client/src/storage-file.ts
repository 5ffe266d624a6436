import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { KeyValueStorage } from "./storage.js";

/**
 * Storage in one JSON file, for Node and Electron's main process (`edgehog/client/node`, an
 * entry point of its own so that browser bundles never see `node:fs`).
 */

/**
 * Keeps the SDK's state in the JSON file at `path` (created with its directory, mode 0600),
 * for example `path.join(app.getPath("userData"), "edgehog.json")` in Electron. The file is read
 * once; each change rewrites it through a temporary file and a rename, so a crash leaves the
 * old or the new content, never half of one. One process per file: writers do not merge.
 */
export function fileStorage(path: string): KeyValueStorage {
  const values = load(path);
  const save = () => {
    mkdirSync(dirname(path), { recursive: true });
    const text = JSON.stringify(Object.fromEntries(values));
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    try {
      renameSync(temporary, path);
    } catch {
      // Windows refuses to replace a file another process holds open: write in place instead.
      writeFileSync(path, text, { mode: 0o600 });
      rmSync(temporary, { force: true });
    }
  };
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem(key, value) {
      values.set(key, value);
      save();
    },
    removeItem(key) {
      if (values.delete(key)) save();
    },
  };
}

function load(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return new Map(); // missing or corrupt: start afresh
  }
  const entries = parsed !== null && typeof parsed === "object" ? Object.entries(parsed) : [];
  return new Map(entries.filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
