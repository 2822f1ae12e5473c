/** Checks that use the check context's database: each check gets its own, in memory. */
import { defineChecks } from '../../../../patterns/kit/index.ts';
import { LIMIT } from '../../../runs/__fixtures__/db-limit.ts';

export default defineChecks([
  {
    task: 1,
    name: 'writes and reads rows through ctx.db',
    async run({ db, expect }) {
      await db.exec('CREATE TABLE hits (n INTEGER)');
      for (let n = 0; n < 3; n++) await db.run('INSERT INTO hits VALUES (?)', n);
      const row = await db.get<{ c: number }>('SELECT count(*) AS c FROM hits');
      expect.atMost(row?.c ?? 0, LIMIT, 'rows written');
      expect.equal(row?.c, 3, 'rows written');
    },
  },
  {
    task: 1,
    name: 'starts from an empty database',
    async run({ db, expect }) {
      const tables = await db.all("SELECT name FROM sqlite_master WHERE type = 'table'");
      expect.equal(tables.length, 0, 'tables in a new check database');
    },
  },
]);
