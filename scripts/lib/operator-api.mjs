// The operator scripts' way to a running collector (tenant, export, redrive, doctor, start):
// where the operator token comes from, and a small client of the operator API (/v1/admin/…).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DEV_VARS = fileURLToPath(new URL("../../.dev.vars", import.meta.url));

/** The collector `npm start` runs (PORT overrides its port). */
export const LOCAL_URL = `http://127.0.0.1:${process.env.PORT ?? "8787"}`;

/** A collector that answered with an error, or could not be reached: the script exits 1. */
export class OperatorApiError extends Error {
  /**
   * @param {string} message
   * @param {string} [code] the answer's `error`
   * @param {unknown} [answer] the whole JSON answer (a batch's per-item rejections)
   */
  constructor(message, code, answer) {
    super(message);
    this.code = code;
    this.answer = answer;
  }
}

const isLocal = (url) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);

/**
 * The operator token for `url`: `given` (a --token flag), else EDGEHOG_ADMIN_TOKEN or
 * ADMIN_TOKEN from the environment, else, for a local collector, ADMIN_TOKEN in .dev.vars.
 */
export function adminTokenFor(url, given) {
  const token = given ?? process.env.EDGEHOG_ADMIN_TOKEN ?? process.env.ADMIN_TOKEN;
  if (token) return token;
  if (isLocal(url) && existsSync(DEV_VARS)) {
    const match = readFileSync(DEV_VARS, "utf8").match(/^ADMIN_TOKEN=(.*)$/m);
    if (match?.[1]) return match[1].trim();
  }
  throw new OperatorApiError(`set EDGEHOG_ADMIN_TOKEN to the operator token of ${url}`);
}

/** A client of the operator API: `call(method, path, body?)` resolves the JSON answer or throws its message. */
export function operatorApi(url, adminToken) {
  return async (method, path, body) => {
    let res;
    try {
      res = await fetch(new URL(`/v1/admin${path}`, url), {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new OperatorApiError(
        `cannot reach the collector at ${url} (${err.cause?.code ?? err.message}); is it running?`,
      );
    }
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new OperatorApiError(
        `${answer.message ?? res.statusText} (${res.status} ${answer.error ?? ""})`.trim(),
        answer.error,
        answer,
      );
    }
    return answer;
  };
}

/**
 * Ensures the `demo` tenant exists and issues it a new token. Safe to call on every start:
 * the tenant is created once; each call adds one token.
 */
export async function seedDemoTenant(call) {
  await call("GET", "/tenants/demo").catch((err) => {
    if (err.code !== "unknown_tenant") throw err;
    return call("POST", "/tenants", { name: "demo" });
  });
  return call("POST", "/tenants/demo/tokens", {});
}
