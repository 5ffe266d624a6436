import type { Range } from "./series";

/** The app and range chooser of the Events and Visible drops pages: a plain GET form, no script. */
export function RangeForm(props: {
  action: string;
  apps: readonly string[];
  range: Range;
  error?: string | undefined;
}) {
  const { app, from, to } = props.range;
  const quick = [7, 30, 90, 365].map((days) => ({
    days,
    href: `${props.action}?app=${encodeURIComponent(app)}&days=${days}`,
  }));
  return (
    <form class="card" method="get" action={props.action} aria-label="Choose the app and the days">
      {props.error ? (
        <p class="bad" role="alert">
          {`That range cannot be shown (${props.error}); showing the last 30 days instead.`}
        </p>
      ) : null}
      <div class="filters">
        <label>
          App
          <select name="app">
            {props.apps.map((name) => (
              <option value={name} selected={name === app}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" value={from} required />
        </label>
        <label>
          To
          <input type="date" name="to" value={to} required />
        </label>
        <button class="primary" type="submit">
          Show
        </button>
      </div>
      <ul class="quick" aria-label="Quick ranges">
        {quick.map((q) => (
          <li>
            <a href={q.href}>{`Last ${q.days} days`}</a>
          </li>
        ))}
      </ul>
    </form>
  );
}
