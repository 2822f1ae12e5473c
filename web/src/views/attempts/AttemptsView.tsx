/** Placeholder until the generic attempts view lands. */
import type { ViewProps } from '../types.ts';
import type { AttemptsViewSpec } from '../../../../patterns/kit/index.ts';

export const AttemptsView = ({ spec }: ViewProps<AttemptsViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
