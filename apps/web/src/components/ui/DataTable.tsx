import type { Key, ReactNode } from 'react';

export interface DataTableColumn<Row> {
  /** Unique among the columns. */
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Classes of the column's cells. Default `px-3 py-2`. */
  className?: string;
  /** The column's name on a narrow screen's card; default: the header when it is text. */
  label?: string;
}

export interface DataTableProps<Row> {
  /** Names the table for assistive technology (visually hidden). */
  caption: string;
  columns: readonly DataTableColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => Key;
}

/**
 * A bordered table: one row per item, one cell per column. Below 48rem each row is a card and each cell a
 * line labelled by its column (`.responsive-table` in styles.css); wider, it scrolls sideways inside its
 * border if it must, never the page.
 */
function columnLabel<Row>(column: DataTableColumn<Row>): string | undefined {
  if (column.label !== undefined) return column.label || undefined;
  return typeof column.header === 'string' && column.header ? column.header : undefined;
}

export function DataTable<Row>({ caption, columns, rows, rowKey }: DataTableProps<Row>) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="responsive-table w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className="px-3 py-2">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className="border-t border-slate-100">
              {columns.map((column) => (
                <td key={column.key} data-label={columnLabel(column)} className={column.className ?? 'px-3 py-2'}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
