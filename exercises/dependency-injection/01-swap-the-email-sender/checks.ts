import { defineChecks, type CheckContext, type HttpClient } from '../../../patterns/kit/index.ts';
import { FakeEmailSender, type EmailMessage } from '../../../patterns/dependency-injection/app.ts';
import {
  EmailSenderT,
  registerApp,
  SignupHandlerT,
  useEmailSender,
  withRequestScope,
  type EmailSenderKind,
} from '../../../patterns/dependency-injection/composition-root.ts';
import { Container } from '../../../patterns/dependency-injection/container.ts';

/** The app wired by the composition root over the check's database, with an email service that records what it is sent and answers `status`. */
const makeApp = ({ clock, random, db }: CheckContext, emailSender: EmailSenderKind, status = 202) => {
  const emailCalls: EmailMessage[] = [];
  const emailService: HttpClient = {
    async request({ body }) {
      emailCalls.push(body as EmailMessage);
      return { status, headers: {}, body: {} };
    },
  };
  const container = registerApp(new Container(), { clock, random, emailService, emailSender, db, pool: { size: 2, acquireTimeoutMs: 100 } });
  /** Signs user `n` up in a request scope of its own; an error is returned, not thrown. */
  const signUp = (n: number) =>
    withRequestScope(container, (scope) => scope.resolve(SignupHandlerT).handle({ email: `user-${n}@example.test`, name: `User ${n}` })).then(
      (response) => response.status,
      (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
    );
  return { container, emailService, emailCalls, signUp };
};

export default defineChecks([
  {
    task: 1,
    name: 'with the fake sender, a sign-up sends nothing over HTTP',
    async run(context) {
      const { expect } = context;
      const { signUp, emailCalls } = makeApp(context, 'fake');
      expect.equal(await signUp(1), 201, 'the status of a sign-up with emailSender "fake"');
      expect.equal(emailCalls.length, 0, 'calls to the email service with emailSender "fake" (the fake keeps messages in memory)');
    },
  },
  {
    task: 1,
    name: 'with the fake sender, sign-ups succeed while the email service is down',
    async run(context) {
      const { expect } = context;
      const { signUp } = makeApp(context, 'fake', 503);
      expect.equal(await signUp(1), 201, 'the status of a sign-up with emailSender "fake" while the email service answers 503');
    },
  },
  {
    task: 1,
    name: 'with the HTTP sender, the welcome email goes to the email service',
    async run(context) {
      const { expect } = context;
      const { signUp, emailCalls } = makeApp(context, 'http');
      expect.equal(await signUp(1), 201, 'the status of a sign-up with emailSender "http"');
      expect.equal(
        emailCalls.map((m) => m.to),
        ['user-1@example.test'],
        'who the email service was asked to write to',
      );
    },
  },
  {
    task: 1,
    name: 'useEmailSender swaps the sender while the app runs, from the next request on',
    async run(context) {
      const { expect } = context;
      const { container, emailService, signUp, emailCalls } = makeApp(context, 'http');
      await signUp(1);
      useEmailSender(container, 'fake', { emailService });
      expect.equal(await signUp(2), 201, 'the status of the sign-up after the swap');
      expect.equal(
        emailCalls.map((m) => m.to),
        ['user-1@example.test'],
        'emails sent over HTTP, before and after useEmailSender(container, "fake") (only user-1 came before the swap)',
      );
    },
  },
  {
    task: 2,
    name: 'every request, and the root, get the same email sender',
    async run(context) {
      const { expect } = context;
      const { container } = makeApp(context, 'fake');
      const a = container.createScope();
      const b = container.createScope();
      const senders = [a.resolve(EmailSenderT), b.resolve(EmailSenderT), container.resolve(EmailSenderT)];
      expect.ok(
        senders[0] === senders[1] && senders[1] === senders[2],
        'two scopes and the root resolved EmailSenderT to different instances: it should be one sender for the whole app',
      );
      await a.dispose();
      await b.dispose();
    },
  },
  {
    task: 2,
    name: "the fake's outbox holds every sign-up's welcome email",
    async run(context) {
      const { expect } = context;
      const { container, signUp } = makeApp(context, 'fake');
      for (const n of [1, 2, 3]) await signUp(n);
      const sender = container.resolve(EmailSenderT);
      if (!(sender instanceof FakeEmailSender)) return expect.fail(`EmailSenderT resolved to ${sender?.constructor?.name} with emailSender "fake"`);
      expect.equal(
        sender.outbox.map((m) => `${m.template} → ${m.to}`),
        ['welcome → user-1@example.test', 'welcome → user-2@example.test', 'welcome → user-3@example.test'],
        'the outbox of the fake sender the container hands out, after three sign-ups',
      );
    },
  },
]);
