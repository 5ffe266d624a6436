import { publishedCatalogue } from "../../catalog/published";
import { type Column, Table } from "../table";

/**
 * The Catalogue page: everything edgehog may store, each property with its privacy class, as
 * `GET /v1/catalog` publishes it. The page a security reviewer is shown.
 */

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

export function CataloguePage() {
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
      {catalogue.apps.map((app) => (
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
          {app.events.map((event) => (
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
      ))}
    </>
  );
}
