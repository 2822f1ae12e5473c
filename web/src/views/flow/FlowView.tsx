/** Placeholder until the generic flow view lands. */
import type { ViewProps } from '../types.ts';
import type { FlowViewSpec } from '../../../../patterns/kit/index.ts';

export const FlowView = ({ spec }: ViewProps<FlowViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
