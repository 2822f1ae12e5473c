/** What a flow stage's spec says about how its nodes are drawn. */
import type { FlowStage } from '../../../../patterns/kit/index.ts';

/** Whether a stage's nodes tell ok / failed (and so show their last outcome). */
export const hasOutcome = (stage: FlowStage): boolean => stage.okField !== undefined || stage.outcomeField !== undefined;

/** Whether a stage's nodes have more to show than a count: boxes; else pills. */
export const isBox = (stage: FlowStage): boolean =>
  hasOutcome(stage) || stage.attemptField !== undefined || stage.durationField !== undefined || Boolean(stage.counts?.length);

/** How many lines a node's name takes: two for a statement (`nodeFormat: 'sql'`), else one. */
export const titleLinesOf = (stage: FlowStage): number => (stage.nodeFormat === 'sql' && isBox(stage) ? 2 : 1);

/** How many text lines a stage's nodes need: the name, the counts, then latency and other counts if any. */
export const linesOf = (stage: FlowStage): number =>
  isBox(stage) ? titleLinesOf(stage) + 1 + (stage.durationField !== undefined ? 1 : 0) + (stage.counts?.length ? 1 : 0) : 2;

/** A list longer than this is shown as `…`; a short one (`COUNT(*)`, `name`) tells statements apart and stays. */
const LONG_LIST = 12;
const elide = (list: string) => (list.trim().length > LONG_LIST ? '…' : list.trim());

/**
 * A statement shortened to what tells it apart from the others a lab sends:
 * the column lists of SELECT, INSERT, SET and RETURNING go, the table and
 * the WHERE stay (`SELECT … FROM users WHERE id = ?`).
 */
export const sqlSummary = (statement: string): string =>
  statement
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(SELECT (?:DISTINCT )?)(.+?)( FROM )/i, (_, head: string, list: string, from: string) => `${head}${elide(list)}${from}`)
    .replace(/^(INSERT (?:OR \w+ )?INTO \S+ )\(([^()]*)\)/i, (_, head: string, list: string) => `${head}(${elide(list)})`)
    // The values are placeholders: they never tell two statements apart.
    .replace(/( VALUES )\((.*?)\)(?= RETURNING|;|$)/i, '$1(…)')
    .replace(/^(UPDATE \S+ SET )(.+?)(?= WHERE |$)/i, (_, head: string, list: string) => `${head}${elide(list)}`)
    .replace(/( RETURNING )(.+)$/i, (_, head: string, list: string) => `${head}${elide(list)}`);

/** `text` over at most `lines` lines of `max` characters, broken between words; the last one clipped with `…`. */
export const wrapText = (text: string, max: number, lines: number): string[] => {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0 && out.length < lines - 1) {
    if (rest.length <= max) break;
    const cut = rest.lastIndexOf(' ', max);
    const at = cut > 0 ? cut : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  out.push(rest.length > max ? `${rest.slice(0, max - 1)}…` : rest);
  return out;
};

/** A node's name as its box shows it, line by line. */
export const titleOf = (stage: FlowStage, name: string, max: number): string[] =>
  stage.nodeFormat === 'sql' ? wrapText(sqlSummary(name), max, titleLinesOf(stage)) : wrapText(name, max, 1);

/** What a node's count counts: `requests`, `published`, `attempts`. */
export const countLabelOf = (stage: FlowStage): string => stage.countLabel ?? 'events';
