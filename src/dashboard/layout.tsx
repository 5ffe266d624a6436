import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/context";
import { dashboardCss } from "./styles";

/** The frame of every dashboard page: head, skip link, navigation, sign-out, and the HTML response. */

export const PAGES = [
  { path: "/dashboard", name: "Events" },
  { path: "/dashboard/drops", name: "Visible drops" },
  { path: "/dashboard/billing", name: "Tenants and billing" },
  { path: "/dashboard/catalogue", name: "Catalogue" },
  { path: "/dashboard/health", name: "Health" },
] as const;

export type PagePath = (typeof PAGES)[number]["path"];

interface DocumentProps {
  title: string;
  nonce: string;
  children: Child;
}

function Document({ title, nonce, children }: DocumentProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · edgehog`}</title>
        <link rel="icon" href="data:," />
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: dashboardCss }} />
      </head>
      <body>{children}</body>
    </html>
  );
}

/** A signed-in page: the navigation (the current page marked), sign-out, and the page's content. */
export function Page(props: { title: string; nonce: string; current: PagePath; children: Child }) {
  return (
    <Document title={props.title} nonce={props.nonce}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <a class="brand" href="/dashboard">
          edgehog
        </a>
        <nav aria-label="Dashboard">
          <ul>
            {PAGES.map((page) => (
              <li>
                <a href={page.path} aria-current={page.path === props.current ? "page" : undefined}>
                  {page.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form class="signout" method="post" action="/dashboard/logout">
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** The sign-in page: the only page shown without a session. `disabled` says why nobody can sign in. */
export function SignInPage(props: { nonce: string; next: string; error?: string; disabled?: string | undefined }) {
  return (
    <Document title="Sign in" nonce={props.nonce}>
      <main id="main" class="login">
        <h1>edgehog dashboard</h1>
        {props.disabled ? (
          <p class="card alert" role="alert">
            {`The dashboard is disabled: ${props.disabled.replace(/^the operator API is disabled: /, "")}.`}
          </p>
        ) : (
          <p class="muted">Sign in with the operator token (the Worker's ADMIN_TOKEN secret).</p>
        )}
        <form method="post" action="/dashboard/login">
          <input type="hidden" name="next" value={props.next} />
          <label for="token">Operator token</label>
          <input
            id="token"
            name="token"
            type="password"
            required
            autocomplete="current-password"
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={props.error ? "token-error" : undefined}
          />
          {props.error ? (
            <p id="token-error" class="bad" role="alert">
              {props.error}
            </p>
          ) : null}
          <button class="primary" type="submit">
            Sign in
          </button>
        </form>
      </main>
    </Document>
  );
}

/** A box saying what is missing and what to do about it. */
export function EmptyState(props: { children: Child }) {
  return <div class="card empty">{props.children}</div>;
}

/** Renders a page as a complete HTML document (the nonce comes from the CSP middleware). */
export async function html<E extends AppEnv>(
  c: Context<E>,
  page: Child,
  status: 200 | 400 | 401 | 429 | 503 = 200,
): Promise<Response> {
  return c.html(`<!doctype html>${await page}`, status);
}
