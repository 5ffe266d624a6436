import type { Child } from "hono/jsx";
import { formatNumber } from "./charts";
import { EmptyState } from "./layout";

/**
 * The dashboard's one table. Every chart's numbers are also on the page as a table, and every
 * table must read the same to a screen reader and on a phone: a caption, header cells with their
 * scope, the row's name as a row header, numbers right-aligned in tabular figures and formatted
 * alike, its own scroll box, and — when there is nothing to list — a message saying what to do.
 */

export interface Column<Row> {
  header: string;
  /** The cell of a row; a number is formatted (12,345.67). */
  cell: (row: Row) => Child;
  /** A column of numbers: right-aligned, in tabular figures. */
  numeric?: boolean;
  /** The column that names the row: its cells are row headers. */
  rowHeader?: boolean;
}

export interface TableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  caption?: string;
  /** Shown instead of the table when there are no rows (without it, the table shows its headers alone). */
  empty?: Child;
  id?: string;
  /** A class of the stylesheet for the table (`props`: fixed column widths). */
  class?: string;
}

const formatted = (value: Child): Child => (typeof value === "number" ? formatNumber(value) : value);

export function Table<Row>({ columns, rows, caption, empty, id, class: className }: TableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <EmptyState>{empty}</EmptyState>;
  return (
    <div class="scroll">
      <table id={id} class={className}>
        {caption === undefined ? null : <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" class={column.numeric ? "n" : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              {columns.map((column) => {
                const align = column.numeric ? "n" : undefined;
                const value = formatted(column.cell(row));
                return column.rowHeader ? (
                  <th scope="row" class={align}>
                    {value}
                  </th>
                ) : (
                  <td class={align}>{value}</td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
