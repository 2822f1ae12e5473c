/**
 * The files open in the editor: the pattern's editable files (a dot marks
 * unsaved edits, a "!" an error), then any read-only file opened by "go to
 * definition", which can be closed.
 */
export interface FileTab {
  /** An editable file's name, or a read-only file's repository path. */
  key: string;
  label: string;
  editable: boolean;
  /** A problem to flag on the tab (the latest version failed, or the live run hit an error in it). */
  problem?: string | undefined;
}

interface FileTabsProps {
  tabs: FileTab[];
  active: string;
  dirty: ReadonlySet<string>;
  onSelect: (key: string) => void;
  onClose: (key: string) => void;
}

export const FileTabs = ({ tabs, active, dirty, onSelect, onClose }: FileTabsProps) => (
  <div className="file-tabs" role="tablist" aria-label="Files">
    {tabs.map((tab) => {
      const unsaved = dirty.has(tab.key);
      const title = [
        tab.editable ? tab.label : `${tab.label} (read-only)`,
        unsaved && 'unsaved changes: Ctrl/Cmd+S saves and deploys',
        tab.problem,
      ]
        .filter(Boolean)
        .join(' · ');
      return (
        <div key={tab.key} className={`file-tab${tab.key === active ? ' active' : ''}${tab.editable ? '' : ' readonly'}`}>
          <button type="button" role="tab" aria-selected={tab.key === active} title={title} onClick={() => onSelect(tab.key)}>
            {tab.label}
            {tab.problem && (
              <span className="file-tab-problem" aria-label="has an error">
                !
              </span>
            )}
            {unsaved && (
              <span className="file-tab-dirty" aria-label="unsaved changes">
                ●
              </span>
            )}
          </button>
          {!tab.editable && (
            <button type="button" className="file-tab-close" aria-label={`Close ${tab.label}`} onClick={() => onClose(tab.key)}>
              ×
            </button>
          )}
        </div>
      );
    })}
  </div>
);
