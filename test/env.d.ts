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
    }
  }
}
