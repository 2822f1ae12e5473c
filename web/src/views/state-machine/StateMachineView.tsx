/** Placeholder until the generic state-machine view lands. */
import type { ViewProps } from '../types.ts';
import type { StateMachineViewSpec } from '../../../../patterns/kit/index.ts';

export const StateMachineView = ({ spec }: ViewProps<StateMachineViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
