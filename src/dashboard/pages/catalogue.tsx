import { publishedCatalogue } from "../../catalog/published";
import { type Column, Table } from "../table";

/**
 * The Catalogue page: everything edgehog may store, each property with its privacy class, as
 * `GET /v1/catalog` publishes it. The page a security reviewer is shown. One app at a time
 * (`?app=`, the first by default), with every app listed above it, and a large app's events one
 * area at a time (`&area=`): Teleport's cluster alone declares over a hundred events, and a page
 * stays light. `GET /v1/catalog` has it all in one document.
 */

type App = (typeof publishedCatalogue.apps)[number];

type CatalogueEvent = App["events"][number];

/** An app with more events than this shows them one area at a time. */
const EVENTS_ON_ONE_PAGE = 30;

/** An event's area: the second part of its name (`tp.session.start` → `session`), the second and third (`ui.discover`) where the second alone names too many events. */
function areasOf(events: CatalogueEvent[]): Map<CatalogueEvent, string> {
  const parts = (event: CatalogueEvent) => event.name.split(".");
  const count = new Map<string, number>();
  for (const event of events) count.set(parts(event)[1] ?? "", (count.get(parts(event)[1] ?? "") ?? 0) + 1);
  return new Map(
    events.map((event) => {
      const [, second = event.name, third] = parts(event);
      return [event, (count.get(second) ?? 0) > EVENTS_ON_ONE_PAGE && third ? `${second}.${third}` : second];
    }),
  );
}

export interface CatalogueView {
  app: App;
  /** The areas of the app's events with their counts, when it has too many for one page. */
  areas: [string, number][];
  /** The area shown, when the app's events are shown by area. */
  area?: string;
  events: CatalogueEvent[];
}

/**
 * What `?app=&area=` asks for: the app (the first when none is named) and, for a large app, one
 * area of its events (the first when none is named); undefined for an app or area the catalogue
 * does not have.
 */
export function catalogueViewOf(appName: string | undefined, areaName: string | undefined): CatalogueView | undefined {
  const apps = publishedCatalogue.apps;
  const app = appName === undefined ? apps[0] : apps.find((each) => each.name === appName);
  if (!app) return undefined;
  if (app.events.length <= EVENTS_ON_ONE_PAGE)
    return areaName === undefined ? { app, areas: [], events: app.events } : undefined;
  const areaOf = areasOf(app.events);
  const counts = new Map<string, number>();
  for (const name of areaOf.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const areas = [...counts].sort(([a], [b]) => a.localeCompare(b));
  const area = areaName ?? areas[0]?.[0];
  if (!area || !counts.has(area)) return undefined;
  return { app, areas, area, events: app.events.filter((event) => areaOf.get(event) === area) };
}

type Property = (typeof publishedCatalogue.apps)[number]["common_properties"][number];

function constraint(property: Property): string {
  if ("values" in property && property.values) return `one of: ${property.values.join(", ")}`;
  if ("max_length" in property && property.max_length !== undefined) return `at most ${property.max_length} characters`;
  if ("max" in property && property.max !== undefined) return `at most ${property.max}`;
  return "";
}

const PROPERTY_COLUMNS: Column<Property>[] = [
  { header: "Property", rowHeader: true, cell: (property) => <code>{property.name}</code> },
  { header: "Privacy class", cell: (property) => <span class="badge">{property.class}</span> },
  { header: "Required", cell: (property) => (property.required ? "yes" : "no") },
  {
    header: "What it is",
    cell: (property) => (
      <>
        {property.description}
        {constraint(property) ? <span class="muted">{` (${constraint(property)})`}</span> : null}
      </>
    ),
  },
];

export function CataloguePage({ view }: { view: CatalogueView }) {
  const { app, areas, area, events } = view;
  const catalogue = publishedCatalogue;
  return (
    <>
      <p>
        This is the complete list of what edgehog stores: every event, and every property with its privacy class.
        Anything else a client sends is dropped and counted, never stored. The same list is public, as JSON, at{" "}
        <a href="/v1/catalog">
          <code>GET /v1/catalog</code>
        </a>
        .
      </p>
      <section class="card" aria-labelledby="classes">
        <h2 id="classes">Privacy classes</h2>
        <dl class="defs">
          {Object.entries(catalogue.privacy_classes).map(([name, meaning]) => (
            <>
              <dt>
                <span class="badge">{name}</span>
              </dt>
              <dd>{meaning}</dd>
            </>
          ))}
        </dl>
        <h3>Never stored</h3>
        <ul>
          {catalogue.never_stored.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      </section>
      <nav class="card" aria-labelledby="apps">
        <h2 id="apps">Apps</h2>
        <ul>
          {catalogue.apps.map((each) => (
            <li>
              <a
                href={`/dashboard/catalogue?app=${encodeURIComponent(each.name)}`}
                aria-current={each.name === app.name ? "page" : undefined}
              >
                <code>{each.name}</code>
              </a>{" "}
              <span class="muted">{`${each.events.length} ${each.events.length === 1 ? "event" : "events"}`}</span>
            </li>
          ))}
        </ul>
      </nav>
      <section class="app" aria-labelledby={`app-${app.name}`}>
        <h2 id={`app-${app.name}`}>
          <code>{app.name}</code>
        </h2>
        <p>{app.description}</p>
        {app.common_properties.length > 0 ? (
          <Table
            class="props"
            caption={`Properties any event of ${app.name} may carry`}
            rows={app.common_properties}
            columns={PROPERTY_COLUMNS}
          />
        ) : null}
        {areas.length > 0 ? (
          <nav aria-label={`Areas of ${app.name}'s events`}>
            <p>
              {`${app.events.length} events, by area: `}
              {areas.map(([name, count], i) => (
                <>
                  {i > 0 ? ", " : null}
                  <a
                    href={`/dashboard/catalogue?app=${encodeURIComponent(app.name)}&area=${encodeURIComponent(name)}`}
                    aria-current={name === area ? "page" : undefined}
                  >
                    {name}
                  </a>
                  {` (${count})`}
                </>
              ))}
            </p>
          </nav>
        ) : null}
        {events.map((event) => (
          <>
            <h3 id={`event-${event.name}`}>
              <code>{event.name}</code>
              {event.tenant_only ? <span class="badge">tenant token required</span> : null}
            </h3>
            <p>{event.description}</p>
            {event.properties.length > 0 ? (
              <Table
                class="props"
                caption={`Properties of ${event.name}`}
                rows={event.properties}
                columns={PROPERTY_COLUMNS}
              />
            ) : (
              <p class="muted">No properties beyond the app's.</p>
            )}
          </>
        ))}
      </section>
    </>
  );
}
