/** Placeholder until the generic board view lands. */
import type { ViewProps } from '../types.ts';
import type { BoardViewSpec } from '../../../../patterns/kit/index.ts';

export const BoardView = ({ spec }: ViewProps<BoardViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
