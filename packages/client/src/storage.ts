/**
 * Where the SDK keeps what must survive a restart: the consent decision, the install id, the
 * unsent queue. The interface is the synchronous subset of the Web Storage API, so
 * `localStorage` fits as it is and the consent gate never has a moment of "not loaded yet".
 */

/** A synchronous string store: `localStorage`, `fileStorage(path)` (edgehog/client/node), or your own. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps everything in memory: nothing survives the process (the default outside browsers). */
export function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

/** The browser's `localStorage`, or memory where it is missing or refused (private modes, sandboxed frames). */
export function localStorageStorage(): KeyValueStorage {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (storage) {
      storage.getItem("edgehog.probe");
      return storage;
    }
  } catch {
    // a SecurityError: storage is disabled for this page
  }
  return memoryStorage();
}

/** Reads a JSON value; anything missing or unreadable is `undefined` (a corrupt file never stops the app). */
export function readJson(storage: KeyValueStorage, key: string): unknown {
  try {
    const text = storage.getItem(key);
    return text === null ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Writes (or, for `undefined`, removes) a value. A full or failing store costs persistence, never the app. */
export function writeJson(storage: KeyValueStorage, key: string, value: unknown): boolean {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
