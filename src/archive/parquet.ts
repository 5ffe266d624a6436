import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { uuidBytes } from "../lib/bytes";
import type { ArchivedEvent } from "./archived-event";

/**
 * The archive's objects as Parquet, which DuckDB, ClickHouse, Spark and the rest read straight
 * from R2 (docs/SCALING.md): one row per event, a column per field, GZIP pages (node:zlib at
 * level 1, as the NDJSON objects were; the pure-JS Snappy made objects larger and was slower),
 * one row group. `app`, and the `day` and `hour` of arrival, are the object's Hive-style
 * partitions (`events/app=…/day=…/hour=…/`), not columns: engines add them from the path.
 * `uuid` is Parquet's UUID type (16 bytes, left uncompressed: random bytes do not compress;
 * text where a message from an earlier version carried another string), `properties` the
 * declared properties as stored, as JSON text. Statistics (min/max per row group) are kept for
 * the columns a query filters on, not for the uuids and properties (their cost was a third of
 * the encoding). Written with hyparquet-writer and read with hyparquet (parquet-read.ts, a
 * module of its own that the readers load on first use: the consumer only writes): plain
 * JavaScript, no code generation, so they run in workerd (docs/PERFORMANCE.md has the measurements).
 */

export const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";

/**
 * Columns of an archived event as Parquet holds them (the partitions aside); times as ISO 8601
 * text, or as ms since the epoch (what the consumer has: no text to make and parse again).
 */
export type ParquetEvent = Omit<ArchivedEvent, "app" | "timestamp" | "received_at"> & {
  timestamp: string | number;
  received_at: string | number;
};

const msOf = (time: string | number) => (typeof time === "number" ? time : Date.parse(time));

const COMPRESSORS = { GZIP: (bytes: Uint8Array) => gzipSync(bytes, { level: 1 }) };

const encoder = new TextEncoder();

/** Texts as UTF-8, views of one buffer: the writer would otherwise encode each into its own. */
function utf8Values(texts: readonly string[]): Uint8Array[] {
  let most = 0;
  for (const text of texts) most += text.length * 3;
  const buffer = new Uint8Array(most);
  let at = 0;
  return texts.map((text) => {
    const { written } = encoder.encodeInto(text, buffer.subarray(at));
    const view = buffer.subarray(at, at + written);
    at += written;
    return view;
  });
}

/** Events → one Parquet object. */
export function encodeParquet(events: readonly ParquetEvent[]): Uint8Array {
  const column = <T>(pick: (event: ParquetEvent) => T) => events.map(pick);
  const uuidBuffer = new Uint8Array(16 * events.length);
  const uuids = events.map((e, i) => uuidBytes(e.uuid, uuidBuffer.subarray(16 * i, 16 * i + 16)));
  const raw = { statistics: false, encoding: "PLAIN" } as const;
  const buffer = parquetWriteBuffer({
    columnData: [
      uuids.every((bytes) => bytes !== undefined)
        ? { name: "uuid", data: uuids, type: "UUID", nullable: false, ...raw, codec: "UNCOMPRESSED" }
        : { name: "uuid", data: column((e) => e.uuid), type: "STRING", nullable: false, ...raw },
      { name: "event", data: column((e) => e.event), type: "STRING", nullable: false },
      { name: "distinct_id", data: column((e) => e.distinct_id), type: "STRING", nullable: false },
      { name: "timestamp", data: column((e) => msOf(e.timestamp)), type: "TIMESTAMP", nullable: false },
      { name: "received_at", data: column((e) => msOf(e.received_at)), type: "TIMESTAMP", nullable: false },
      { name: "app_version", data: column((e) => e.app_version), type: "STRING", nullable: false },
      { name: "os", data: column((e) => e.os), type: "STRING", nullable: false },
      { name: "country", data: column((e) => e.country), type: "STRING" },
      { name: "tenant_id", data: column((e) => e.tenant_id), type: "STRING" },
      {
        name: "properties",
        data: utf8Values(column((e) => JSON.stringify(e.properties))),
        type: "STRING",
        nullable: false,
        ...raw,
      },
    ],
    codec: "GZIP",
    compressors: COMPRESSORS,
    rowGroupSize: 1_000_000,
  });
  return new Uint8Array(buffer);
}
