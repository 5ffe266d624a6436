import type { Child } from "hono/jsx";

/**
 * What surrounds a page's content inside the document (the renderer, renderer.tsx, draws the
 * document itself): the signed-in frame — skip link, navigation with the current page marked,
 * sign-out, the page's heading — and the sign-in form, the one page shown without a session.
 */

export const PAGES = [
  { path: "/dashboard", name: "Events" },
  { path: "/dashboard/insights", name: "Insights" },
  { path: "/dashboard/drops", name: "Visible drops" },
  { path: "/dashboard/billing", name: "Tenants and billing" },
  { path: "/dashboard/catalogue", name: "Catalogue" },
  { path: "/dashboard/health", name: "Health" },
] as const;

export type PagePath = (typeof PAGES)[number]["path"];

/** A signed-in page: the navigation (the current page marked), sign-out, and the page's content under its heading. */
export function SignedInFrame(props: { title: string; current: PagePath; children: Child }) {
  return (
    <>
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
    </>
  );
}

/** The sign-in form: the only page shown without a session. `disabled` says why nobody can sign in. */
export function SignInForm(props: { next: string; error?: string; disabled?: string | undefined }) {
  return (
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
  );
}

/** A box saying what is missing and what to do about it. */
export function EmptyState(props: { children: Child }) {
  return <div class="card empty">{props.children}</div>;
}
