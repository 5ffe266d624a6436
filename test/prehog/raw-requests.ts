import { env } from "cloudflare:workers";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { workerFetch } from "./helpers";

/** Requests sent as Teleport's clients send them: Connect, binary, uncompressed, to the Worker. */

const DAY = 86_400_000;

export async function rpc(path: string, body: Uint8Array, headers: Record<string, string>, bindings: Env = env) {
  return workerFetch(bindings)(`http://edgehog.test/${path}`, {
    method: "POST",
    headers: { "content-type": "application/proto", ...headers },
    body,
  });
}

/** A tenant whose term began well before the reports of the test, with a token. */
export async function tenant() {
  const first = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 8);
  const row = await createTenant(env.DB, {
    name: `raw-${crypto.randomUUID().slice(0, 8)}`,
    termStart: `${first}01`,
    now: Date.now(),
  });
  return { row, token: (await issueToken(env.DB, row.id, { now: Date.now() })).token };
}
