import { z } from "zod";
import { ApiError } from "../http/errors";
import { describeIssue } from "../http/validation";
import { isoTime } from "../lib/time";
import { checkPlan, requireTenantByRef } from "../tenants/admin";
import type { TenantRow } from "../tenants/store";
import type { Figures } from "./queries";

/**
 * A tenant's contract (`PUT /v1/admin/tenants/{tenant}/contract`, `npm run tenant -- contract`):
 * its plan, whether its clusters must report (then a silence is flagged: reporting.ts), and the
 * quantities it bought of each figure (then crossing 90 % and 100 % of one sends a webhook:
 * alerts.ts). A PUT replaces the whole contract: a quantity left out is no longer contracted.
 */

export const FIGURE_NAMES = ["mau", "tpr", "mwi"] as const satisfies readonly (keyof Figures)[];
export type FigureName = (typeof FIGURE_NAMES)[number];

/** The largest quantity a contract may name: far above any tenant, far below D1's integers. */
export const MAX_QUANTITY = 1_000_000_000;

export interface Contract {
  plan: string;
  reporting_required: boolean;
  /** ms since the epoch: since when reporting is required (null when it is not). */
  reporting_since: number | null;
  quantities: Record<FigureName, number | null>;
  /** The tenant's own webhook endpoint, or null. */
  webhook_url: string | null;
  /** ms: when the contract last changed; thresholds are judged from the period holding it on. */
  changed_at: number;
}

const quantity = z.number().int().min(1).max(MAX_QUANTITY).nullable().optional();

/**
 * The body of a PUT, which the route validates and documents with: unknown fields are refused,
 * so a misspelt quantity is not silently dropped. The plan's grammar is the tenants' (checkPlan).
 */
export const contractSchema = z
  .strictObject({
    plan: z.string().max(64).describe("the plan: 1-32 lower-case letters, digits, dashes or underscores"),
    reporting_required: z.boolean().describe("whether the tenant's clusters must report (a silence is flagged)"),
    mau: quantity.describe("monthly active users bought; left out or null: not contracted"),
    tpr: quantity.describe("teleport protected resources bought"),
    mwi: quantity.describe("machine and workload identities bought"),
  })
  .meta({ id: "ContractInput" });
export type ContractInput = z.infer<typeof contractSchema>;

interface ContractRow {
  tenant_id: string;
  plan: string;
  reporting_required: number;
  reporting_since: number | null;
  mau: number | null;
  tpr: number | null;
  mwi: number | null;
  webhook_url: string | null;
  changed_at: number | null;
}

const SELECT = `
SELECT t.id AS tenant_id, t.plan, COALESCE(c.reporting_required, 0) AS reporting_required, c.reporting_since,
       c.mau, c.tpr, c.mwi, c.webhook_url, c.changed_at
FROM tenants AS t LEFT JOIN tenant_contracts AS c ON c.tenant_id = t.id`;

function toContract(row: ContractRow): Contract {
  return {
    plan: row.plan,
    reporting_required: row.reporting_required === 1,
    reporting_since: row.reporting_since,
    quantities: { mau: row.mau, tpr: row.tpr, mwi: row.mwi },
    webhook_url: row.webhook_url,
    changed_at: row.changed_at ?? 0,
  };
}

/** Every tenant's contract (a tenant without one: its plan, nothing required or contracted), by tenant id. */
export async function readContracts(db: D1Database): Promise<Map<string, Contract>> {
  const { results } = await db.prepare(SELECT).all<ContractRow>();
  return new Map(results.map((row) => [row.tenant_id, toContract(row)]));
}

export async function readContract(db: D1Database, tenantId: string): Promise<Contract | null> {
  const row = await db.prepare(`${SELECT} WHERE t.id = ?1`).bind(tenantId).first<ContractRow>();
  return row ? toContract(row) : null;
}

/** The refusal of what is no contract (`400 invalid_contract`), naming its first issue. */
export function invalidContract(issue: z.core.$ZodIssue | undefined): ApiError {
  return new ApiError(
    "invalid_contract",
    `${describeIssue(issue, "contract")} (a contract is { "plan", "reporting_required", "mau"?, "tpr"?, "mwi"? }, each quantity a whole number from 1 to ${MAX_QUANTITY.toLocaleString("en-US")})`,
  );
}

/** Checks a contract for every caller: each field and quantity (400 invalid_contract), the plan's grammar (400 invalid_plan). */
export function checkContract(input: unknown): ContractInput {
  const parsed = contractSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw invalidContract(parsed.error.issues[0]);
  checkPlan(parsed.data.plan);
  return parsed.data;
}

/** Replaces a tenant's contract; resolves to the tenant and its contract as stored. */
export async function setContract(
  db: D1Database,
  ref: string,
  input: unknown,
  now: number,
): Promise<{ tenant: TenantRow; contract: Contract }> {
  const contract = checkContract(input);
  const tenant = await requireTenantByRef(db, ref);
  await db.batch([
    db.prepare("UPDATE tenants SET plan = ?2 WHERE id = ?1").bind(tenant.id, contract.plan),
    db
      .prepare(
        `INSERT INTO tenant_contracts (tenant_id, reporting_required, reporting_since, mau, tpr, mwi, changed_at)
         VALUES (?1, ?2, CASE WHEN ?2 = 1 THEN ?6 END, ?3, ?4, ?5, ?6)
         ON CONFLICT (tenant_id) DO UPDATE SET
           reporting_required = excluded.reporting_required,
           -- A requirement that goes on keeps the day it began; one that ends forgets it.
           reporting_since = CASE WHEN excluded.reporting_required = 1
             THEN COALESCE(tenant_contracts.reporting_since, excluded.reporting_since) END,
           mau = excluded.mau, tpr = excluded.tpr, mwi = excluded.mwi, changed_at = excluded.changed_at`,
      )
      .bind(
        tenant.id,
        contract.reporting_required ? 1 : 0,
        contract.mau ?? null,
        contract.tpr ?? null,
        contract.mwi ?? null,
        now,
      ),
  ]);
  const stored = await readContract(db, tenant.id);
  if (!stored) throw new ApiError("unknown_tenant", `no tenant has the id or name "${ref}"`);
  return { tenant: { ...tenant, plan: contract.plan }, contract: stored };
}

/** Sets (or, with null, removes) the tenant's own webhook endpoint, keeping the rest of its contract. */
export async function setTenantWebhookUrl(db: D1Database, tenantId: string, url: string | null, now: number) {
  await db
    .prepare(
      `INSERT INTO tenant_contracts (tenant_id, webhook_url, changed_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (tenant_id) DO UPDATE SET webhook_url = excluded.webhook_url`,
    )
    .bind(tenantId, url, now)
    .run();
}

/** A contract as the API answers it. */
export function contractJson(contract: Contract) {
  return {
    plan: contract.plan,
    reporting_required: contract.reporting_required,
    reporting_required_since: contract.reporting_since ? isoTime(contract.reporting_since) : null,
    mau: contract.quantities.mau,
    tpr: contract.quantities.tpr,
    mwi: contract.quantities.mwi,
    webhook_url: contract.webhook_url,
    changed_at: contract.changed_at ? isoTime(contract.changed_at) : null,
  };
}
