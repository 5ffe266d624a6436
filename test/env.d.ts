import type { Env as WorkerEnv } from "../src/env";

// Types for `import { env, exports } from "cloudflare:workers"` in tests.
declare global {
  namespace Cloudflare {
    // An interface may only extend a named type, not an `import("…")` type expression.
    interface Env extends WorkerEnv {
      /** schema.sql, handed in by vitest.config.mts. */
      TEST_SCHEMA: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "RateLimiterShard";
    }
  }
}
export type Env = WorkerEnv;
