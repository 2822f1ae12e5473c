/** Placeholder until the generic table view lands. */
import type { ViewProps } from '../types.ts';
import type { TableViewSpec } from '../../../../patterns/kit/index.ts';

export const TableView = ({ spec }: ViewProps<TableViewSpec>) => <p className="muted">{spec.title}: not drawn yet.</p>;
