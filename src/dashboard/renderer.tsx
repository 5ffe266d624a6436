import type { Child } from "hono/jsx";
import { jsxRenderer, useRequestContext } from "hono/jsx-renderer";
import type { SecureHeadersVariables } from "hono/secure-headers";
import type { AppEnv } from "../http/context";
import { type PagePath, SignedInFrame } from "./layout";
import { dashboardCss } from "./styles";

/**
 * Every dashboard answer in HTML is one document drawn here: `c.render(content, { title,
 * current })` (Hono's jsxRenderer). The document carries the page's one stylesheet under the
 * response's CSP nonce, read from the request (secureHeaders puts it on the context), so no page
 * or component passes the nonce along. A page that names its `current` navigation entry is drawn
 * in the signed-in frame; the sign-in form and the error pages are drawn bare.
 */

export type DashboardEnv = AppEnv & { Variables: SecureHeadersVariables };

export interface DocumentProps {
  title: string;
  /** A signed-in page: the navigation entry to mark as the current page. */
  current?: PagePath;
}

// What c.render takes: Hono declares ContextRenderer for pages to extend, and only an interface merges.
declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: a type alias would not merge with Hono's interface
    (content: Child, props: DocumentProps): Response | Promise<Response>;
  }
}

/** The stylesheet, allowed by this response's nonce (the CSP allows no other style). */
function Stylesheet() {
  const nonce = useRequestContext<DashboardEnv>().get("secureHeadersNonce") ?? "";
  return <style nonce={nonce} dangerouslySetInnerHTML={{ __html: dashboardCss }} />;
}

export const renderer = jsxRenderer(
  ({ title, current, children }) => (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · edgehog`}</title>
        <link rel="icon" href="data:," />
        <Stylesheet />
      </head>
      <body>
        {current ? (
          <SignedInFrame title={title} current={current}>
            {children}
          </SignedInFrame>
        ) : (
          children
        )}
      </body>
    </html>
  ),
  { docType: "<!doctype html>" },
);
