/**
 * The learner's exercise progress at a glance, with export to a JSON file
 * and import from one (merged: nothing solved is ever lost).
 */
import '../../styles/exercises.css';
import { useRef, useState, type ChangeEvent } from 'react';
import { api } from '../../api/client.ts';
import { parseProgressFile, progressFileName } from './progress-file.ts';

type Message = { kind: 'ok' | 'error'; text: string };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export const ProgressMenu = ({ solved, total, onImported }: { solved: number; total: number; onImported: () => void }) => {
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const exportProgress = async () => {
    setMessage(undefined);
    try {
      const data = await api.exportProgress();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = progressFileName(new Date());
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage({ kind: 'ok', text: `Exported ${plural(data.progress.length, 'exercise')}’ progress and ${plural(data.drafts.length, 'draft')}.` });
    } catch (error) {
      setMessage({ kind: 'error', text: `Could not export: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setMessage(undefined);
    const parsed = parseProgressFile(await file.text(), file.name);
    if (!parsed.ok) {
      setMessage({ kind: 'error', text: `Nothing imported: ${parsed.error}` });
      return;
    }
    setBusy(true);
    try {
      const merged = await api.importProgress(parsed.data);
      setMessage({ kind: 'ok', text: `Imported ${file.name}: progress of ${plural(merged.progress, 'exercise')} and ${plural(merged.drafts, 'draft')} merged.` });
      onImported();
    } catch (error) {
      setMessage({ kind: 'error', text: `Nothing imported from ${file.name}: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="progress-menu">
      <span className="progress-summary">
        <b>{solved}</b> of {plural(total, 'exercise')} solved
      </span>
      <button type="button" className="small-button" onClick={() => void exportProgress()} title="Download your exercise progress and drafts as a JSON file">
        Export progress
      </button>
      <button type="button" className="small-button" disabled={busy} onClick={() => input.current?.click()} title="Merge progress from a file exported earlier">
        {busy ? 'Importing…' : 'Import progress…'}
      </button>
      <input ref={input} type="file" accept="application/json,.json" hidden onChange={(e) => void importFile(e)} data-testid="progress-file" />
      {message && (
        <span className={`progress-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </span>
      )}
    </div>
  );
};
