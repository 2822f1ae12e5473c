/**
 * The progress export file: its name when downloaded, and a first check of a
 * file chosen for import, so a wrong file gets a clear message before it is
 * sent (the server validates it fully). Pure: unit-tested in node.
 */

export const PROGRESS_FORMAT = 'patterns-workbench-progress';

/** "patterns-workbench-progress-2026-03-14.json", by the local date. */
export const progressFileName = (date: Date): string => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${PROGRESS_FORMAT}-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.json`;
};

export type ParsedProgress = { ok: true; data: Record<string, unknown>; exercises: number; drafts: number } | { ok: false; error: string };

/** Reads a chosen file's text as a progress export, or says plainly why it is not one. */
export const parseProgressFile = (text: string, fileName = 'the file'): ParsedProgress => {
  if (text.trim() === '') return { ok: false, error: `${fileName} is empty.` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${fileName} is not JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `${fileName} is not a progress export: expected a JSON object.` };
  }
  const data = value as Record<string, unknown>;
  if (data.format !== PROGRESS_FORMAT) {
    return { ok: false, error: `${fileName} is not a Patterns Workbench progress export (its "format" is not "${PROGRESS_FORMAT}").` };
  }
  if (data.version !== 1) {
    return { ok: false, error: `${fileName} is a progress export of version ${JSON.stringify(data.version)}; this workbench reads version 1.` };
  }
  if (!Array.isArray(data.progress) || !Array.isArray(data.drafts)) {
    return { ok: false, error: `${fileName} is missing its "progress" or "drafts" list.` };
  }
  return { ok: true, data, exercises: data.progress.length, drafts: data.drafts.length };
};
