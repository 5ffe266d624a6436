import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { applyMigrations, startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

/**
 * The collector under `wrangler dev` for the end-to-end and browser tests, started by the
 * project's one launcher (scripts/lib/wrangler-dev.mjs) as `npm start` would be, but on free
 * ports, a throw-away state directory and an operator token of its own.
 */
export interface RunningCollector {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

export interface CollectorOptions {
  /** Extra vars (and secrets) for this run, e.g. POSTHOG_HOST and POSTHOG_API_KEY. */
  vars?: Record<string, string>;
}

/**
 * Starts the collector on 127.0.0.1, on a free port and a throw-away local state directory
 * (migrations applied: a copy of the state the project's globalSetup migrated, or wrangler run
 * on this one where no globalSetup did: test/e2e/global-setup.ts), as `npm start` runs it: the
 * Worker built and split by its [build] command (dist/worker/), the cron run on demand by
 * `GET /cdn-cgi/handler/scheduled`.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const state = mkdtempSync(join(tmpdir(), "edgehog-e2e-"));
  const adminToken = `e2e-${crypto.randomUUID()}`;
  try {
    const migrated = inject("migratedState");
    if (migrated) cpSync(migrated, state, { recursive: true });
    else await applyMigrations({ persistTo: state });
    const dev = await startWranglerDev({
      name: "e2e collector",
      persistTo: state,
      vars: {
        ADMIN_TOKEN: adminToken,
        RATE_LIMIT_SALT_SECRET: `e2e-salt-${crypto.randomUUID()}`,
        // Every local request comes from the same (absent) address, so the tests of a file share
        // one client bucket; polling the stats would exhaust the default under load. The other
        // limits (install, app, tenant, failed tokens) keep their defaults.
        RATE_LIMIT_CLIENT_CAPACITY: "1000000",
        RATE_LIMIT_CLIENT_PER_SECOND: "100000",
        ...options.vars,
      },
    });
    return {
      url: dev.url,
      adminToken,
      async stop() {
        await dev.stop();
        rmSync(state, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(state, { recursive: true, force: true });
    throw err;
  }
}
