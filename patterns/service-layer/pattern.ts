/**
 * The manifest of the service layer pattern: what the catalog lists and the
 * Lab tab shows, as plain data (the workbench reads it without running the lab).
 */
import type { PatternManifest } from '../kit/index.ts';
import { signupParams } from './params.ts';
import { telemetry } from './telemetry.ts';
import { signupViews } from './views.ts';

export const pattern: PatternManifest = {
  id: 'service-layer',
  title: 'Service layer',
  category: 'structure',
  summary:
    "Put the application's use cases and business rules in one layer between thin HTTP routes and the repository: it speaks in domain errors, owns what is committed together, and serves every caller the same rules.",
  editableFiles: ['user-service.ts', 'routes.ts', 'repository.ts', 'errors.ts', 'domain.ts'],
  telemetry,
  labs: [
    {
      id: 'signup',
      title: 'Sign-ups through routes, a service and a repository',
      summary:
        'POST /users and GET /users/:id on a real HTTP server: thin routes, a UserService with the sign-up rules, a repository and unit of work on SQLite. Each request is traced layer by layer. Lower the distinct emails and concurrent sign-ups for one address collide: with a unique constraint they get 409s, without one duplicates get in.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'database',
          kind: 'database',
          title: 'Database',
          description:
            'Every statement the repository sends. Latency widens the window between the look-up of an email and its insert; busy or locked makes statements fail, which the routes must answer with a 503, never with SQLite’s message.',
        },
        {
          id: 'email-check',
          kind: 'in-process',
          title: 'Email check',
          description:
            "The service's deliverability check of a new address, between its look-up and its insert. Latency widens the race window; an exception is a bug the routes must answer with a plain 500.",
        },
      ],
      params: signupParams.specs,
      views: signupViews,
      guide: {
        watch:
          'Watch **Route → service → repository → SQL**: each request crosses the layers and the service decides what is valid before the repository writes; open a row of **Traces** to follow one.',
        tryFirst: { label: 'Make sign-ups collide: 2 distinct emails a second', params: { distinctEmails: 2 } },
      },
      // 20 requests a second, 16 of them sign-ups, over 4 clients: every one a new address.
      defaultLoad: { model: 'open', rate: 20, clients: 4 },
      invariants: [
        {
          id: 'unique-email',
          description:
            'No two users share an email: never are two sign-ups for one address (however it was typed) both answered 201 Created.',
        },
        {
          id: 'no-sql-in-answers',
          description:
            "No answer shows the client SQLite's own words (an error code, a constraint or a lock message): storage trouble is a plain 503, a taken email a 409.",
        },
      ],
    },
  ],
};
