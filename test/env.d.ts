import type { D1Migration } from "cloudflare:test";

// Test-only bindings (vitest.config.mts), beside the Worker's own (worker-configuration.d.ts).
declare global {
  namespace Cloudflare {
    interface Env {
      /** migrations/, read by vitest.config.mts and applied by test/setup.ts. */
      TEST_MIGRATIONS: D1Migration[];
      /** schema.sql, to compare with what the migrations build. */
      TEST_SCHEMA: string;
      /** .dev.vars.example, whose ADMIN_TOKEN a deployment must refuse. */
      TEST_DEV_VARS_EXAMPLE: string;
      /** An empty database for that comparison. */
      SCHEMA_DB: D1Database;
      /** A second event database (EVENT_DATABASES "DB,EVENTS_DB_2"), migrated like DB, for the sharded tests. */
      EVENTS_DB_2: D1Database;
    }
  }
}
