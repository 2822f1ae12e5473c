/** The live lab. (Placeholder until the lab panels land.) */
import type { PatternDetail } from '../../../../../server/http/api-types.ts';
import type { LiveRun } from '../../../api/live.ts';

export interface LabTabProps {
  pattern: PatternDetail;
  runId: string | undefined;
  onRunChange: (runId: string | undefined) => void;
  live: LiveRun;
  paused: boolean;
  onPausedChange: (paused: boolean) => void;
}

export const LabTab = ({ live }: LabTabProps) => <p>{live.events.length} events</p>;
