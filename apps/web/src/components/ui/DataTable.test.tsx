import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable } from './DataTable';

describe('<DataTable>', () => {
  it('labels each cell with its column for the narrow-screen cards (text headers, or an explicit label)', () => {
    render(
      <DataTable
        caption="Things"
        rows={[{ id: 'a', name: 'Alpha', size: 3 }]}
        rowKey={(row) => row.id}
        columns={[
          { key: 'name', header: 'Name', cell: (row) => row.name },
          { key: 'size', header: <span>Size</span>, label: 'Size', cell: (row) => row.size },
          { key: 'actions', header: <span className="sr-only">Actions</span>, cell: () => 'edit' },
        ]}
      />,
    );
    const table = screen.getByRole('table', { name: 'Things' });
    expect(table.classList.contains('responsive-table')).toBe(true);
    const cells = screen.getAllByRole('cell');
    expect(cells.map((c) => c.getAttribute('data-label'))).toEqual(['Name', 'Size', null]);
  });
});
