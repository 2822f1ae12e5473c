/**
 * The statements a lab may not send to its database, decided from the text
 * alone: those that reach another file than the one the run was given
 * (ATTACH, DETACH, VACUUM INTO, the directory pragmas), and transaction
 * control by hand. The SQL host refuses them (it is the trust boundary: it
 * runs in the server, outside the sandbox); the engine checks first too, so a
 * refused statement fails before a fault is decided for it, as today.
 * No imports: both sides of the channel load it.
 */

/** Why a statement is refused, shaped as SQLite's own errors (code, message). */
export interface SqlRefusal {
  code: string;
  message: string;
}

/** The first keyword of each statement in `sql`, skipping comments and quoted text. */
export const leadingKeywords = (sql: string): string[] => {
  const keywords: string[] = [];
  let atStart = true;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) j += 2; // a doubled quote
          else break;
        } else j++;
      }
      i = j + 1;
      atStart = false;
    } else if (c === ';') {
      atStart = true;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      if (atStart) keywords.push(word.toUpperCase());
      atStart = false;
      i += word.length;
    } else {
      atStart = false;
      i++;
    }
  }
  return keywords;
};

/** Statements that would reach another file than the run's database. */
const OTHER_FILES = new Set(['ATTACH', 'DETACH', 'VACUUM']);
/**
 * Transaction control by hand: on the one connection every request shares, a
 * BEGIN held across an `await` would take other requests' statements into it.
 * (`END` is left out: it also closes a trigger's body.)
 */
const TRANSACTION_CONTROL = new Set(['BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

/**
 * Pragmas that set a process-wide directory for SQLite's files: in the server
 * they would move every database's temporary files, the workbench's own too.
 * Matched anywhere (as `pragma_…` table functions too): a string that happens
 * to hold the name is refused as well, a price worth paying.
 */
const DIRECTORY_PRAGMAS = /(temp|data)_store_directory/i;

/** Why `sql` may not run, or undefined when it may. */
export const refusalOf = (sql: string): SqlRefusal | undefined => {
  const directory = DIRECTORY_PRAGMAS.exec(sql);
  if (directory) {
    return { code: 'SQLITE_AUTH', message: `${directory[0].toLowerCase()} is not allowed: a lab's database keeps its files where the run put it` };
  }
  for (const keyword of leadingKeywords(sql)) {
    if (OTHER_FILES.has(keyword)) {
      return { code: 'SQLITE_AUTH', message: `${keyword} is not allowed: a lab has one database, the run's own (ctx.db)` };
    }
    if (TRANSACTION_CONTROL.has(keyword)) {
      return { code: 'SQLITE_MISUSE', message: `${keyword} is not allowed here: use db.transaction(async (tx) => …), which commits or rolls back for you` };
    }
  }
  return undefined;
};
