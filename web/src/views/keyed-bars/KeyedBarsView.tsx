/** Placeholder until the generic keyed-bars view lands. */
import type { ViewProps } from '../types.ts';
import type { KeyedBarsViewSpec } from '../../../../patterns/kit/index.ts';

export const KeyedBarsView = ({ spec }: ViewProps<KeyedBarsViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
