/** The shape of an archived event, shared by the archive's two formats (objects.ts, parquet.ts). */

/** One archived event: what a reader of the archive gets (one JSON object per line of an export). */
export interface ArchivedEvent {
  uuid: string;
  app: string;
  event: string;
  distinct_id: string;
  /** ISO 8601, after clock-skew correction (the time the aggregates count it at). */
  timestamp: string;
  /** ISO 8601, when the collector accepted it (its partition's day and hour). */
  received_at: string;
  app_version: string;
  os: string;
  country: string | null;
  tenant_id: string | null;
  /** The declared properties, as stored (undeclared ones were dropped at the door). */
  properties: Record<string, string | number | boolean>;
}
