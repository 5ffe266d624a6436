import { createMiddleware } from "hono/factory";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { SecureHeadersVariables } from "hono/secure-headers";
import type { AppEnv } from "../http/context";
import { type PagePath, SignedInFrame } from "./layout";
import { dashboardCss } from "./styles";

/**
 * Every dashboard answer in HTML is one document drawn here: `c.render(content, { title,
 * current })`. The document carries the page's one stylesheet under the response's CSP nonce,
 * read from the request once (secureHeaders puts it on the context), so no page or component
 * passes the nonce along. A page that names its `current` navigation entry is drawn in the
 * signed-in frame; the sign-in form and the error pages are drawn bare. Hono's jsxRenderer
 * would do the same but pulls in its client-side JSX runtime (hooks, DOM rendering, streaming),
 * about a twentieth of the Worker's bundle, for pages that are rendered once, on the server.
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

function Document(props: DocumentProps & { nonce: string; children: Child }) {
  const { title, current, nonce, children } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · edgehog`}</title>
        <link rel="icon" href="data:," />
        {/* The stylesheet, allowed by this response's nonce (the CSP allows no other style). */}
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: dashboardCss }} />
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
  );
}

/** Puts the document renderer on the context: `c.render` answers the page as an HTML document. */
export const renderer = createMiddleware<DashboardEnv>(async (c, next) => {
  c.setRenderer((content, { title, current }) => {
    const nonce = c.get("secureHeadersNonce") ?? "";
    const page = (
      <Document title={title} current={current} nonce={nonce}>
        {content}
      </Document>
    );
    return c.html(html`<!doctype html>${page}`);
  });
  await next();
});
