import type { PatternManifest } from '../kit/index.ts';

export const pattern: PatternManifest = {
  id: 'event-bus',
  title: 'Event-driven (event bus)',
  category: 'messaging',
  summary:
    'Announce that something happened and let every interested handler react on its own: concurrently, in isolation, with retries and a dead-letter store for what keeps failing.',
  editableFiles: ['event-bus.ts', 'events.ts', 'dead-letters.ts'],
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
      params: [
        {
          id: 'maxAttempts',
          label: 'Attempts per handler',
          description:
            'How many times a handler is tried on one event (the first try included) before the event is dead-lettered for it. 1 means no retry.',
          type: 'integer',
          default: 3,
          min: 1,
          max: 10,
        },
        {
          id: 'delivery',
          label: 'Sign-up answers',
          description:
            'Whether POST /signup answers as soon as user.created is published, or waits until every handler has finished (retries included). Either way a failing handler does not fail the sign-up.',
          type: 'enum',
          default: 'background',
          options: [
            { value: 'background', label: 'After publishing (handlers run in the background)' },
            { value: 'wait', label: 'After every handler has finished' },
          ],
        },
        {
          id: 'redriveEveryMs',
          label: 'Replay dead letters every',
          description: 'Replays every dead letter to its handler at this interval; 0 never replays.',
          type: 'integer',
          default: 0,
          min: 0,
          max: 60_000,
          step: 1_000,
          unit: 'ms',
        },
      ],
      views: ['events', 'request-log', 'charts', 'logs'],
      defaultLoad: { model: 'open', rate: 5 },
    },
  ],
};
