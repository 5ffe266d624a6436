import type { Env } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends import("../src/env").Env {
      /** schema.sql, handed in by vitest.config.mts. */
      TEST_SCHEMA: string;
    }
  }
}
export type { Env };
