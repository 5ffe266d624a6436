import { Anonymizer } from "./shared/anonymizer.js";

/**
 * Anonymization on the client, with the anonymizer the collector's tests hold to Teleport's
 * vectors: HMAC-SHA256 keyed with the UTF-8 bytes of the key, standard base64 with padding.
 */

/** Digests values with one key (a cluster id or a licence's key), which never leaves the process. */
export interface ClusterAnonymizer {
  anonymize(value: string): Promise<string>;
}

/** An anonymizer for `key`. A blank key is refused: it would make every digest guessable. */
export function createAnonymizer(key: string): ClusterAnonymizer {
  const ready = Anonymizer.create(key);
  ready.catch(() => {}); // reported by anonymize(), not as an unhandled rejection
  return { anonymize: async (value) => (await ready).anonymize(value) };
}

/** The 44-character digest of `value` under `key`: `await anonymize(clusterId, userName)`. */
export function anonymize(key: string, value: string): Promise<string> {
  return createAnonymizer(key).anonymize(value);
}

/** One anonymizer per key, for a client that is handed the key with each event. */
export function anonymizerCache(limit = 16): (key: string) => ClusterAnonymizer {
  const cache = new Map<string, ClusterAnonymizer>();
  return (key) => {
    let anonymizer = cache.get(key);
    if (!anonymizer) {
      if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
      anonymizer = createAnonymizer(key);
      cache.set(key, anonymizer);
    }
    return anonymizer;
  };
}
