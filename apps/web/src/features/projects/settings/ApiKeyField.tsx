import type { ProjectModelSettings } from '@specline/protocol';
import { KeyRound, Trash2, Undo2 } from 'lucide-react';
import { useId } from 'react';
import { Button } from '../../../components/ui/Button';
import { cn } from '../../../lib/cn';
import { controlClass, FieldError } from './Fields';
import type { ApiKeyDraft } from './settingsForm';

export function keySetText(settings: Pick<ProjectModelSettings, 'api_key_last4'>): string {
  return settings.api_key_last4 ? `A key is set (…${settings.api_key_last4})` : 'A key is set';
}

/**
 * The write-only API key. The stored key is never read back, so the field is never pre-filled: it says
 * whether a key is set (with its last four characters) and offers Replace (type a new one) and Remove
 * (sent as `api_key: null` on save). What is typed stays in this form until it is saved, then is gone.
 */
export function ApiKeyField({
  settings,
  value,
  onChange,
  error,
  disabled = false,
}: {
  settings: Pick<ProjectModelSettings, 'api_key_set' | 'api_key_last4'>;
  value: ApiKeyDraft;
  onChange: (next: ApiKeyDraft) => void;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hintId].filter(Boolean).join(' ');
  const typing = value.action === 'replace' || !settings.api_key_set;
  const typed = value.action === 'replace' ? value.value : '';

  return (
    <fieldset className="flex flex-col gap-1" data-testid="api-key-field">
      <legend className="mb-1 text-sm font-medium text-slate-700">API key</legend>
      {settings.api_key_set && value.action !== 'replace' ? (
        <div className={cn('flex flex-wrap items-center gap-2 rounded-md border px-3 py-2 text-sm', value.action === 'remove' ? 'border-amber-300 bg-amber-50' : 'border-slate-200 bg-slate-50')}>
          <KeyRound aria-hidden className="size-4 text-slate-500" />
          {value.action === 'remove' ? (
            <span className="text-amber-900" role="status">
              The key (…{settings.api_key_last4 ?? '????'}) will be removed when you save.
            </span>
          ) : (
            <span className="text-slate-800" data-testid="api-key-status">
              {keySetText(settings)}
            </span>
          )}
          <span className="ml-auto flex gap-2">
            {value.action === 'remove' ? (
              <Button size="sm" onClick={() => onChange({ action: 'keep' })} disabled={disabled} icon={<Undo2 aria-hidden className="size-4" />}>
                Keep the key
              </Button>
            ) : (
              <>
                <Button size="sm" onClick={() => onChange({ action: 'replace', value: '' })} disabled={disabled}>
                  Replace
                </Button>
                <Button size="sm" variant="ghost" onClick={() => onChange({ action: 'remove' })} disabled={disabled} icon={<Trash2 aria-hidden className="size-4" />}>
                  Remove
                </Button>
              </>
            )}
          </span>
        </div>
      ) : null}
      {typing ? (
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className={settings.api_key_set ? 'text-xs text-slate-600' : 'sr-only'}>
            {settings.api_key_set ? 'New API key' : 'API key'}
          </label>
          <div className="flex gap-2">
            <input
              id={id}
              type="password"
              // Never the stored key: only what is typed here, and a browser should not offer to fill or save it.
              value={typed}
              onChange={(e) => onChange({ action: 'replace', value: e.target.value })}
              autoComplete="new-password"
              spellCheck={false}
              placeholder={settings.api_key_set ? 'Paste the new key' : 'Paste a key (sk-…)'}
              disabled={disabled}
              aria-describedby={describedBy}
              aria-invalid={error ? true : undefined}
              className={cn(controlClass, error ? 'border-red-500' : 'border-slate-300')}
            />
            {settings.api_key_set ? (
              <Button onClick={() => onChange({ action: 'keep' })} disabled={disabled}>
                Cancel
              </Button>
            ) : null}
          </div>
        </div>
      ) : null}
      <FieldError id={errorId} error={error} />
      <p id={hintId} className="text-xs text-slate-500">
        {settings.api_key_set && value.action === 'replace'
          ? `The current key (…${settings.api_key_last4 ?? '????'}) is used until you save a new one.`
          : 'Stored on the server and never shown again: only its last four characters are. Not needed by the planner or a local Ollama.'}
      </p>
    </fieldset>
  );
}
