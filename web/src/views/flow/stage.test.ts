import { describe, expect, it } from 'vitest';
import type { FlowStage } from '../../../../patterns/kit/index.ts';
import { linesOf, sqlSummary, titleOf, wrapText } from './stage.ts';

const statements: FlowStage = { label: 'SQL', event: 'sql', nodeField: 'statement', durationField: 'durationMs', nodeFormat: 'sql' };

describe('a statement as a flow node names it', () => {
  it('drops the column lists and keeps the table and the condition', () => {
    expect(sqlSummary('SELECT id, email, name, version, created_at FROM users WHERE id = ?')).toBe('SELECT … FROM users WHERE id = ?');
    expect(sqlSummary('INSERT INTO users (email, name, version, created_at) VALUES (?, ?, 1, ?) RETURNING id, email, name, version, created_at')).toBe(
      'INSERT INTO users (…) VALUES (…) RETURNING …',
    );
    expect(sqlSummary('UPDATE users SET email = ?, name = ?, version = version + 1\n   WHERE id = ? AND version = ?')).toBe(
      'UPDATE users SET … WHERE id = ? AND version = ?',
    );
  });

  it('keeps a short list, which is what tells two statements apart', () => {
    expect(sqlSummary('SELECT COUNT(*) FROM orders')).toBe('SELECT COUNT(*) FROM orders');
    expect(sqlSummary('SELECT name FROM sqlite_master WHERE type = ?')).toBe('SELECT name FROM sqlite_master WHERE type = ?');
    expect(sqlSummary('BEGIN')).toBe('BEGIN');
  });

  it('wraps over two lines between words, clipping only what is left over', () => {
    expect(wrapText('SELECT … FROM users WHERE id > ? ORDER BY id LIMIT ?', 28, 2)).toEqual(['SELECT … FROM users WHERE id', '> ? ORDER BY id LIMIT ?']);
    expect(wrapText('short', 28, 2)).toEqual(['short']);
    expect(wrapText('a'.repeat(40), 28, 1)).toEqual([`${'a'.repeat(27)}…`]);
    expect(titleOf(statements, 'SELECT id, email FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id > ? ORDER BY u.id', 28)).toHaveLength(2);
  });

  it('gives a statement node the line its second title line needs', () => {
    const { nodeFormat: _, ...plain } = statements;
    expect(linesOf(statements)).toBe(linesOf(plain) + 1);
  });
});
