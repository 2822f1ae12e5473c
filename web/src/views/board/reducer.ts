/**
 * The board view's model, built from its spec: items (jobs) by state, as
 * Bull Board shows a queue. Each `spec.event` moves an item to the state in
 * `stateField`; a column counts its items and shows the newest to arrive,
 * each with the card fields of its latest event and its recent moves.
 *
 * Memory is bounded: the MAX_ITEMS most recently moved items are followed,
 * with their newest MAX_HISTORY moves each. An item let go still counts in
 * the column it was in (and, with `fromField`, leaves it when it moves again).
 */
import type { BoardViewSpec, TelemetryEvent, Tone } from '../../../../patterns/kit/index.ts';
import { fieldOf } from '../shared/fields.ts';
import { newest, trimFront, typeOf, type ViewReducer } from '../shared/reducer.ts';

/** An item's move to a state, with its card fields at that moment. */
export interface BoardMove {
  t: number;
  /** The state it left; unknown for an item's first move unless the event says. */
  from?: string;
  to: string;
  fields: Record<string, unknown>;
}

export interface BoardCard {
  id: string;
  state: string;
  /** When it moved into its state, run time ms. */
  since: number;
  /** The card fields of its latest event, by field path. */
  fields: Record<string, unknown>;
  /** Its newest moves, oldest first: at most MAX_HISTORY. */
  history: BoardMove[];
  /** All its moves while followed. */
  moves: number;
}

export interface BoardColumn {
  state: string;
  label: string;
  tone: Tone;
  /** False for a state the spec has no column for: it gets one once an item is there. */
  declared: boolean;
  /** Every item in this state, those let go included. */
  count: number;
  /** The newest to arrive first, at most MAX_CARDS. */
  cards: BoardCard[];
}

export interface BoardModel {
  columns: BoardColumn[];
  /** Items followed now. */
  followed: number;
  /** Items no longer followed: past MAX_ITEMS the least recently moved are let go. */
  letGo: number;
  /** When the board last started afresh (see the spec's `startsAfresh`), and the value that made it. */
  afresh?: { t: number; value: string };
}

export const MAX_ITEMS = 5000;
export const MAX_CARDS = 20;
export const MAX_HISTORY = 20;

interface ItemAcc {
  id: string;
  state: string;
  since: number;
  fields: Record<string, unknown>;
  history: BoardMove[];
  moves: number;
}

interface Acc {
  /** Least recently moved first: a move takes an item out and puts it back at the end. */
  items: Map<string, ItemAcc>;
  /** Items let go, by the state they were in then. */
  letGoIn: Map<string, number>;
  letGo: number;
  /** The `startsAfresh` field's latest value, and the latest start afresh. */
  lastValue?: string;
  afresh?: { t: number; value: string };
}

const text = (value: unknown): string | undefined => (value === undefined || value === null || value === '' ? undefined : String(value));

export const makeBoardReducer = (spec: BoardViewSpec): ViewReducer<Acc, BoardModel> => {
  const cardFields = (spec.cardFields ?? []).map((f) => f.field);

  const fieldsOf = (event: TelemetryEvent): Record<string, unknown> => {
    const fields: Record<string, unknown> = {};
    for (const path of cardFields) fields[path] = fieldOf(event, path);
    return fields;
  };

  /** An item the board has not followed so far: new, or let go and back (then it leaves the state the event names). */
  const arrive = (acc: Acc, id: string, event: TelemetryEvent): { item: ItemAcc; from: string | undefined } => {
    const from = spec.fromField ? text(fieldOf(event, spec.fromField)) : undefined;
    const waiting = from === undefined ? 0 : (acc.letGoIn.get(from) ?? 0);
    if (waiting > 0) acc.letGoIn.set(from!, waiting - 1);
    return { item: { id, state: '', since: event.t, fields: {}, history: [], moves: 0 }, from };
  };

  const letGoOldest = (acc: Acc): void => {
    const oldest = acc.items.values().next().value!;
    acc.items.delete(oldest.id);
    acc.letGoIn.set(oldest.state, (acc.letGoIn.get(oldest.state) ?? 0) + 1);
    acc.letGo++;
  };

  return {
    init: () => ({ items: new Map(), letGoIn: new Map(), letGo: 0 }),

    step(acc, event) {
      if (spec.startsAfresh && typeOf(event) === spec.startsAfresh.event) {
        const value = text(fieldOf(event, spec.startsAfresh.field));
        if (value === undefined) return;
        if (acc.lastValue !== undefined && value !== acc.lastValue) {
          acc.items.clear();
          acc.letGoIn.clear();
          acc.letGo = 0;
          acc.afresh = { t: event.t, value };
        }
        acc.lastValue = value;
        return;
      }
      if (typeOf(event) !== spec.event) return;
      const id = text(fieldOf(event, spec.itemField));
      const to = text(fieldOf(event, spec.stateField));
      if (id === undefined || to === undefined) return;
      const known = acc.items.get(id);
      const { item, from } = known ? { item: known, from: known.state } : arrive(acc, id, event);
      acc.items.delete(id);
      const fields = fieldsOf(event);
      item.history.push({ t: event.t, ...(from !== undefined && { from }), to, fields });
      trimFront(item.history, MAX_HISTORY);
      item.moves++;
      item.state = to;
      item.since = event.t;
      item.fields = fields;
      acc.items.set(id, item);
      if (acc.items.size > MAX_ITEMS) letGoOldest(acc);
    },

    view(acc) {
      // Items by state, newest to arrive last (the map's order); a column keeps its newest cards only.
      const byState = new Map<string, ItemAcc[]>();
      const counts = new Map<string, number>(acc.letGoIn);
      for (const item of acc.items.values()) {
        let list = byState.get(item.state);
        if (!list) byState.set(item.state, (list = []));
        list.push(item);
        counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
      }
      const declared = new Set(spec.columns.map((c) => c.state));
      const columns = [
        ...spec.columns.map((c) => ({ ...c, declared: true })),
        ...[...counts.keys()].filter((s) => !declared.has(s) && counts.get(s)! > 0).map((state) => ({ state, label: state, tone: 'neutral' as Tone, declared: false })),
      ];
      return {
        columns: columns.map(
          (c): BoardColumn => ({
            ...c,
            count: counts.get(c.state) ?? 0,
            cards: newest(byState.get(c.state) ?? [], MAX_CARDS)
              .reverse()
              .map((item) => ({ ...item, fields: { ...item.fields }, history: newest(item.history, MAX_HISTORY) })),
          }),
        ),
        followed: acc.items.size,
        letGo: acc.letGo,
        ...(acc.afresh && { afresh: { ...acc.afresh } }),
      };
    },
  };
};
