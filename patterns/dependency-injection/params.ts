/**
 * The signup lab's knobs, declared once: pattern.ts lists them in the
 * manifest (`signupParams.specs`) and lab.ts reads them typed, defaults
 * included (`signupParams.read(ctx.params)`).
 */
import { defineParams } from '../kit/index.ts';

export const signupParams = defineParams({
  emailSender: {
    label: 'Email sender',
    description:
      'Which EmailSender implementation the composition root registers. Swapped live: requests from then on get the new one, and no consumer (UserService) changes. The fake keeps messages in memory, so faults at the email service stop mattering.',
    type: 'enum',
    default: 'http',
    options: [
      { value: 'http', label: 'HttpEmailSender (calls the email service)' },
      { value: 'fake', label: 'FakeEmailSender (in memory)' },
    ],
  },
  poolSize: {
    label: 'Connection pool size',
    description:
      'How many database connections the app may hold at once. Each request leases one on its first statement and gives it back when its scope is disposed. (The run’s database is one SQLite connection: each pooled connection is a lease of it, the same limit a real server’s pool enforces.)',
    type: 'integer',
    default: 5,
    min: 1,
    max: 20,
  },
  acquireTimeoutMs: {
    label: 'Wait for a connection',
    description: 'How long a request waits for a free connection before it fails with "connection pool exhausted" (SQLAlchemy calls it pool_timeout).',
    type: 'integer',
    default: 500,
    min: 50,
    max: 5_000,
    step: 50,
    unit: 'ms',
  },
});
