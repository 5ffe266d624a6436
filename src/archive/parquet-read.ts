import { gunzipSync } from "node:zlib";
import { parquetReadObjects } from "hyparquet";
import type { ArchivedEvent } from "./archived-event";

/**
 * Reading the archive's Parquet objects (their layout: parquet.ts) with hyparquet. Only the
 * forget rewrites (the cron) and the operator's archive reads and exports need it: objects.ts
 * loads this module the first time an object is read, so neither a cold start nor the
 * consumer, which only writes, carries the reader.
 */

const DECOMPRESSORS = { GZIP: (bytes: Uint8Array) => new Uint8Array(gunzipSync(bytes)) };

interface ParquetRow {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: Date;
  received_at: Date;
  app_version: string;
  os: string;
  country: string | null;
  tenant_id: string | null;
  properties: ArchivedEvent["properties"] | string;
}

/** One Parquet object → its events, in the archive's shape (`app` from its partition). */
export async function decodeParquet(bytes: ArrayBuffer, app: string): Promise<ArchivedEvent[]> {
  const rows = (await parquetReadObjects({ file: bytes, compressors: DECOMPRESSORS })) as unknown as ParquetRow[];
  return rows.map((row) => ({
    uuid: row.uuid,
    app,
    event: row.event,
    distinct_id: row.distinct_id,
    timestamp: row.timestamp.toISOString(),
    received_at: row.received_at.toISOString(),
    app_version: row.app_version,
    os: row.os,
    country: row.country ?? null,
    tenant_id: row.tenant_id ?? null,
    properties: typeof row.properties === "string" ? JSON.parse(row.properties) : row.properties,
  }));
}
