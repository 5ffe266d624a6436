/**
 * The object that holds a key's bucket: FNV-1a of the key, modulo the shard count. Cheap and
 * synchronous, and it spreads keys evenly enough; the key is already a hash or a public name.
 */
export function shardOf(key: string, shards: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return shardName((hash >>> 0) % shards);
}

/** The name of the object that holds shard `index` (0 to the shard count − 1). */
export function shardName(index: number): string {
  return `shard-${index}`;
}
