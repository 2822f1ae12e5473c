/**
 * Following the live end of a list whose newest rows come at the bottom. It
 * follows until the learner scrolls up; then it holds the rows still (new
 * ones would trim the front and shift what they read away) until they scroll
 * back to the bottom or jump to the latest. The keyboard's focus entering the
 * rows holds them too: the focused row must not scroll away (and unmount).
 */
import { useRef, useState, type RefObject } from 'react';

export interface Follow<Row> {
  /** The rows to show: the live ones while following, else those held. */
  rows: readonly Row[];
  following: boolean;
  /** Rows that arrived since the learner stopped following. */
  newSince: number;
  /** Attach to the scrolling element. */
  scroller: RefObject<HTMLDivElement | null>;
  onScroll: () => void;
  jumpToLatest: () => void;
  /** Stop following, as scrolling up does: the keyboard's focus entered the rows, and they hold still under it. */
  hold: () => void;
}

/** `source` is what the rows come from (a table's reducer): rows held from another are let go. */
export const useFollow = <Row>(live: readonly Row[], total: number, rowHeight: number, source: unknown): Follow<Row> => {
  const [holding, setHeld] = useState<{ rows: readonly Row[]; total: number; source: unknown } | null>(null);
  const held = holding?.source === source ? holding : null;
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);

  // Only the learner scrolling up stops following: new rows and our own scrolling only ever move down.
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const scrolledUp = el.scrollTop < lastTop.current - 1;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight * 1.5;
    if (atBottom && held) setHeld(null);
    else if (scrolledUp && !atBottom && !held) setHeld({ rows: live, total, source });
  };

  return {
    rows: held ? held.rows : live,
    following: !held,
    newSince: held ? total - held.total : 0,
    scroller,
    onScroll,
    jumpToLatest: () => setHeld(null),
    hold: () => {
      if (!held) setHeld({ rows: live, total, source });
    },
  };
};
