/** The editable files. (Placeholder until the Monaco editor lands.) */
import type { PatternDetail } from '../../../../../server/http/api-types.ts';
import type { LiveRun } from '../../../api/live.ts';

export default function CodeTab({ pattern }: { pattern: PatternDetail; live: LiveRun; onSaved: () => void }) {
  return <p>{pattern.editableFiles.join(', ')}</p>;
}
