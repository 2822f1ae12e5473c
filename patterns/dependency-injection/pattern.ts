import type { PatternManifest } from '../kit/index.ts';
import { signupParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { signupViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'dependency-injection',
  title: 'Dependency injection',
  category: 'structure',
  summary:
    'Let one composition root build the app and decide how long each service lives (singleton, per request, transient), so classes ask for what they need, implementations swap without touching their consumers, and each request disposes what it created.',
  editableFiles: ['container.ts', 'composition-root.ts', 'app.ts'],
  telemetry,
  labs: [
    {
      id: 'signup',
      title: 'Sign-ups, a scope per request',
      summary:
        'Each POST /signup runs in a scope: SignupHandler → UserService → UserRepository → DbConnection, leased from a pool of connections to the run’s SQLite database (the users table), plus an EmailSender singleton. Watch what each request creates and reuses, swap the email sender live, and leak a scope to run the pool dry.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'email',
          kind: 'http',
          title: 'Email service',
          description:
            'Called by HttpEmailSender for each welcome email, while the request still holds its connection. A failure fails the sign-up (502); a correct scope still gives the connection back. With the fake email sender, nothing calls it.',
        },
        {
          id: 'database',
          kind: 'database',
          title: 'Database',
          description:
            'Every statement of the run’s SQLite database (the users table), sent through the request’s leased DbConnection. Latency holds connections longer (the pool fills up under load); busy or locked fails the sign-up with 503, and the connection still goes back.',
        },
      ],
      params: signupParams.specs,
      views: signupViews,
      guide: {
        watch:
          'Watch **Created or reused**: singletons are made once, scoped services once per request and disposed with it, transients every time; the **Connection pool** shows whether connections come back.',
        tryFirst: { label: 'Fail every call to the email service', fault: { point: 'email', preset: 'fail' } },
      },
      defaultLoad: { model: 'open', rate: 10 },
      invariants: [
        {
          id: 'scope-disposes-what-it-created',
          description:
            'When a request ends, its scope has disposed every instance it created, and the connection it leased is back in the pool (as the lab sees the pool itself), whether the request succeeded or failed.',
        },
        {
          id: 'one-scoped-instance-per-request',
          description: 'Within one request, each scoped service is created at most once: every consumer of the request shares it.',
        },
      ],
    },
  ],
};
