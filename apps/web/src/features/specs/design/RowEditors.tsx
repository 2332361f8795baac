import { ArrowDown, ArrowUp, Plus, Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button, IconButton } from '../../../components/ui/Button';
import { DESIGN_LIMITS, HTTP_METHODS, moveItem, rowKey, type ComponentRow, type EndpointRow, type FieldRow, type ModelRow } from './designText';
import { RowInput, RowSelect } from './MarkdownEditor';

/** The move up / move down / remove buttons of one row, named after it ("Move endpoint 2 up"). */
function RowTools({ name, index, count, onMove, onRemove }: { name: string; index: number; count: number; onMove: (by: number) => void; onRemove: () => void }) {
  return (
    <div className="flex shrink-0 items-end gap-0.5">
      <IconButton label={`Move ${name} up`} icon={<ArrowUp aria-hidden className="size-4" />} disabled={index === 0} onClick={() => onMove(-1)} />
      <IconButton label={`Move ${name} down`} icon={<ArrowDown aria-hidden className="size-4" />} disabled={index === count - 1} onClick={() => onMove(1)} />
      <IconButton label={`Remove ${name}`} icon={<Trash2 aria-hidden className="size-4" />} onClick={onRemove} />
    </div>
  );
}

/** A titled list of rows with an Add button; `render` draws one row's inputs. */
function Rows<T extends { key: string }>({
  title,
  noun,
  items,
  onChange,
  create,
  render,
  empty,
}: {
  title: string;
  noun: string;
  items: T[];
  onChange: (items: T[]) => void;
  create: () => T;
  render: (item: T, update: (patch: Partial<T>) => void, index: number) => ReactNode;
  empty: string;
}) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-2" data-testid={`rows-${noun}`}>
      <legend className="mb-1 text-sm font-medium text-slate-700">{title}</legend>
      {items.length === 0 ? <p className="text-sm text-slate-600">{empty}</p> : null}
      <ol className="flex flex-col gap-2">
        {items.map((item, index) => (
          <li key={item.key} className="flex min-w-0 flex-col gap-2 rounded-md border border-slate-200 p-2 sm:flex-row sm:items-start" aria-label={`${noun} ${index + 1}`}>
            <div className="min-w-0 flex-1">{render(item, (patch) => onChange(items.map((it) => (it.key === item.key ? { ...it, ...patch } : it))), index)}</div>
            <RowTools
              name={`${noun} ${index + 1}`}
              index={index}
              count={items.length}
              onMove={(by) => onChange(moveItem(items, index, by))}
              onRemove={() => onChange(items.filter((it) => it.key !== item.key))}
            />
          </li>
        ))}
      </ol>
      <div>
        <Button size="sm" icon={<Plus aria-hidden className="size-4" />} disabled={items.length >= DESIGN_LIMITS.rows} onClick={() => onChange([...items, create()])}>
          Add {noun}
        </Button>
      </div>
    </fieldset>
  );
}

export function ComponentRows({ items, onChange }: { items: ComponentRow[]; onChange: (items: ComponentRow[]) => void }) {
  return (
    <Rows
      title="Components"
      noun="component"
      items={items}
      onChange={onChange}
      empty="No components yet."
      create={() => ({ key: rowKey(), id: `C-${items.length + 1}`, name: '', responsibility: '', file_path: '' })}
      render={(c, update) => (
        <div className="grid min-w-0 gap-2 sm:grid-cols-[6rem_minmax(0,1fr)_minmax(0,1fr)]">
          <RowInput label="Id" value={c.id} maxLength={DESIGN_LIMITS.componentId} onChange={(e) => update({ id: e.target.value })} />
          <RowInput label="Name" value={c.name} maxLength={DESIGN_LIMITS.componentName} onChange={(e) => update({ name: e.target.value })} />
          <RowInput label="File path" value={c.file_path} maxLength={DESIGN_LIMITS.filePath} placeholder="src/…" onChange={(e) => update({ file_path: e.target.value })} />
          <RowInput label="Responsibility" className="sm:col-span-3" value={c.responsibility} maxLength={DESIGN_LIMITS.responsibility} onChange={(e) => update({ responsibility: e.target.value })} />
        </div>
      )}
    />
  );
}

export function EndpointRows({ items, onChange }: { items: EndpointRow[]; onChange: (items: EndpointRow[]) => void }) {
  return (
    <Rows
      title="API endpoints"
      noun="endpoint"
      items={items}
      onChange={onChange}
      empty="No endpoints yet."
      create={() => ({ key: rowKey(), method: 'GET', path: '', description: '' })}
      render={(e, update) => {
        const methods = (HTTP_METHODS as readonly string[]).includes(e.method) ? HTTP_METHODS : [e.method, ...HTTP_METHODS];
        return (
          <div className="grid min-w-0 gap-2 sm:grid-cols-[7rem_minmax(0,1fr)]">
            <RowSelect label="Method" value={e.method} options={methods} onChange={(event) => update({ method: event.target.value })} />
            <RowInput label="Path" value={e.path} maxLength={DESIGN_LIMITS.path} placeholder="/orders/{id}" onChange={(event) => update({ path: event.target.value })} />
            <RowInput label="Description" className="sm:col-span-2" value={e.description} maxLength={DESIGN_LIMITS.description} onChange={(event) => update({ description: event.target.value })} />
          </div>
        );
      }}
    />
  );
}

function FieldRows({ model, onChange }: { model: ModelRow; onChange: (fields: FieldRow[]) => void }) {
  const fields = model.fields;
  const owner = model.name.trim() || 'this model';
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <p className="text-xs font-medium text-slate-600">Fields of {owner}</p>
      <ol className="flex flex-col gap-1.5">
        {fields.map((f, index) => {
          const update = (patch: Partial<FieldRow>) => onChange(fields.map((it) => (it.key === f.key ? { ...it, ...patch } : it)));
          return (
            <li key={f.key} className="flex min-w-0 flex-col gap-1.5 sm:flex-row sm:items-end" aria-label={`field ${index + 1} of ${owner}`}>
              <div className="grid min-w-0 flex-1 gap-1.5 sm:grid-cols-[minmax(0,1fr)_8rem_minmax(0,1.5fr)]">
                <RowInput label="Field" value={f.name} onChange={(e) => update({ name: e.target.value })} />
                <RowInput label="Type" value={f.type} placeholder="text" onChange={(e) => update({ type: e.target.value })} />
                <RowInput label="Notes" value={f.description} onChange={(e) => update({ description: e.target.value })} />
              </div>
              <RowTools
                name={`field ${index + 1} of ${owner}`}
                index={index}
                count={fields.length}
                onMove={(by) => onChange(moveItem(fields, index, by))}
                onRemove={() => onChange(fields.filter((it) => it.key !== f.key))}
              />
            </li>
          );
        })}
      </ol>
      <div>
        <Button size="sm" variant="ghost" icon={<Plus aria-hidden className="size-4" />} onClick={() => onChange([...fields, { key: rowKey(), name: '', type: '', description: '' }])}>
          Add field to {owner}
        </Button>
      </div>
    </div>
  );
}

export function ModelRows({ items, onChange }: { items: ModelRow[]; onChange: (items: ModelRow[]) => void }) {
  return (
    <Rows
      title="Data models"
      noun="data model"
      items={items}
      onChange={onChange}
      empty="No data models yet."
      create={() => ({ key: rowKey(), name: '', description: '', fields: [{ key: rowKey(), name: 'id', type: 'uuid', description: '' }] })}
      render={(m, update) => (
        <div className="flex min-w-0 flex-col gap-2">
          <div className="grid min-w-0 gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
            <RowInput label="Model name" value={m.name} placeholder="Order" onChange={(e) => update({ name: e.target.value })} />
            <RowInput label="Description" value={m.description} onChange={(e) => update({ description: e.target.value })} />
          </div>
          <FieldRows model={m} onChange={(fields) => update({ fields })} />
        </div>
      )}
    />
  );
}
