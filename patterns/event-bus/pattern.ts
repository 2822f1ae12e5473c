import type { PatternManifest } from '../kit/index.ts';
import { signupParams } from './params.ts';
import { signupViews } from './views.ts';
import { telemetry } from './telemetry.ts';

export const pattern: PatternManifest = {
  id: 'event-bus',
  title: 'Event-driven (event bus)',
  category: 'messaging',
  summary:
    'Announce that something happened and let every interested handler react on its own: concurrently, in isolation, with retries and a dead-letter store for what keeps failing.',
  editableFiles: ['event-bus.ts', 'events.ts', 'dead-letters.ts'],
  telemetry,
  labs: [
    {
      id: 'signup',
      title: 'Sign-up publishes user.created',
      summary:
        'Each POST /signup publishes user.created; three handlers react: send-welcome-email (calls the email service), create-profile and track-analytics. Break one and watch it retry and dead-letter while the others and the sign-ups carry on.',
      module: 'lab.ts',
      faultPoints: [
        {
          id: 'email',
          kind: 'http',
          title: 'Email service',
          description:
            'Called by the send-welcome-email handler. A 5xx, a reset or a refused connection fails the attempt; a hang ends at the 1 s handler timeout. Failed attempts are retried, then dead-lettered.',
        },
        {
          id: 'create-profile',
          kind: 'in-process',
          title: 'create-profile handler',
          description: 'Runs at the start of the create-profile handler: an exception fails the attempt; latency slows it (past 1 s it times out).',
        },
        {
          id: 'track-analytics',
          kind: 'in-process',
          title: 'track-analytics handler',
          description: 'Runs at the start of the track-analytics handler: an exception fails the attempt; latency slows it (past 1 s it times out).',
        },
      ],
      params: signupParams.specs,
      views: signupViews,
      guide: {
        watch:
          'Watch the **Event bus** view: each sign-up publishes one `user.created` and each of its three handlers handles it on its own; a handler that keeps failing sends it to **Dead letters**.',
        tryFirst: { label: 'Make the analytics handler fail every time', fault: { point: 'track-analytics', preset: 'fail' } },
      },
      defaultLoad: { model: 'open', rate: 5 },
      invariants: [
        {
          id: 'publish-never-fails',
          description: 'A failing handler never fails the publish: publishing, and waiting for its outcome, succeed whatever the handlers do.',
        },
        {
          id: 'every-event-handled-or-dead-lettered',
          description: 'Every published event ends, for each of its handlers, handled or dead-lettered: none is lost while the bus runs.',
        },
      ],
    },
  ],
};
