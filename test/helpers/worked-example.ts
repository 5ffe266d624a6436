import doc from "../../docs/BILLING.md?raw";
import { digestOf } from "../helpers/tenants";

/**
 * The worked example of docs/BILLING.md, read from the page itself: its fixture (reports with
 * plain names, digested here) and the figures computed by hand. A test that uses it checks
 * exactly what the documentation shows.
 */

function jsonBlock(marker: string): unknown {
  const at = doc.indexOf(`<!-- worked-example:${marker} -->`);
  const open = doc.indexOf("```json", at);
  const close = doc.indexOf("```", open + 7);
  if (at < 0 || open < 0 || close < 0) throw new Error(`docs/BILLING.md has no worked-example:${marker} block`);
  return JSON.parse(doc.slice(open + 7, close));
}

interface FixtureRecord {
  user_name?: string;
  spiffe_ids_issued?: { spiffe_id: string; svids_issued: number }[];
  bot_instance_id?: string;
  bot_user_name?: string;
  [counter: string]: unknown;
}

interface FixtureReport {
  start: string;
  cluster: string;
  kind: string;
  records?: FixtureRecord[];
  resources?: { kind: string; ids: string[] }[];
}

export interface Fixture {
  tenant: { name: string; created: string; term_start: string; term_months: number };
  stored_at: string;
  computed_at: string;
  reports: FixtureReport[];
}

type Days<T> = Record<string, T>;
export interface ScopeFigures {
  figures?: { mau: number; tpr: number; mwi: number };
  /** Day → [users, cumulative]. */
  mau: Days<[number, number]>;
  /** Day → hour → resources. */
  tpr: Days<Record<string, number>>;
  /** Day → hour → [bots, bot instances, SPIFFE IDs]. */
  mwi: Days<Record<string, [number, number, number]>>;
}

export interface PeriodFigures {
  period: [string, string];
  term: [string, string];
  figures: { mau: number; tpr: number; mwi: number };
  high_water: { mau: number; tpr: number; mwi: number };
  series?: Record<string, ScopeFigures>;
}

export const fixture = jsonBlock("fixture") as Fixture;
export const expectedFigures = jsonBlock("figures") as Record<string, PeriodFigures>;

/** The digest a cluster labelled `label` ("A", "B") sends as its name. */
export const clusterDigest = (label: string) => digestOf(`cluster-${label}`);

const digests = (names: string[]) => Promise.all(names.map((name) => digestOf(name)));

/** A fixture report as a cluster would send it: every name digested, a fresh report uuid. */
export async function wireReport(report: FixtureReport): Promise<Record<string, unknown>> {
  const header = {
    kind: report.kind,
    report_uuid: crypto.randomUUID(),
    cluster_name: await clusterDigest(report.cluster),
    reporter_hostid: await digestOf(`auth-${report.cluster}`),
    start_time: report.start,
  };
  if (report.resources) {
    const resources = await Promise.all(
      report.resources.map(async (g) => ({ kind: g.kind, ids: await digests(g.ids) })),
    );
    return { ...header, resources };
  }
  const records = await Promise.all(
    (report.records ?? []).map(async (record) => {
      const wire: Record<string, unknown> = { ...record };
      for (const field of ["user_name", "bot_instance_id", "bot_user_name"] as const) {
        const name = record[field];
        if (name !== undefined) wire[field] = await digestOf(name);
      }
      if (record.spiffe_ids_issued) {
        wire.spiffe_ids_issued = await Promise.all(
          record.spiffe_ids_issued.map(async (s) => ({ ...s, spiffe_id: await digestOf(s.spiffe_id) })),
        );
      }
      return wire;
    }),
  );
  return { ...header, records };
}
