import { env } from "cloudflare:workers";
import { Anonymizer } from "../../packages/client/src/shared/anonymizer";
import { createTenant, type IssuedToken, issueToken } from "../../src/tenants/admin";
import type { TenantRow } from "../../src/tenants/store";

let anonymizer: Promise<Anonymizer> | undefined;

/** The digest a cluster would send for `name` (fixed test key). */
export async function digestOf(name: string): Promise<string> {
  anonymizer ??= Anonymizer.create("test-cluster-key");
  return (await anonymizer).anonymize(name);
}

/** A new tenant with one live token. */
export async function tenantWithToken(name: string): Promise<{ tenant: TenantRow; issued: IssuedToken }> {
  const tenant = await createTenant(env.DB, { name, now: Date.now() });
  const issued = await issueToken(env.DB, tenant.id, { now: Date.now() });
  return { tenant, issued };
}
