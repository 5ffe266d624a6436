import type { Env as EdgehogEnv } from "../src/env";

// Types for `import { env, exports } from "cloudflare:workers"` in tests.
declare global {
  namespace Cloudflare {
    interface Env extends EdgehogEnv {
      /** schema.sql, handed in by vitest.config.mts. */
      TEST_SCHEMA: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
