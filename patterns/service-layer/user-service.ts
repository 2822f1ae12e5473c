/**
 * The service layer: what the application does, as use cases ("sign a user
 * up", "get a user"), with its business rules, between the thin HTTP routes
 * (routes.ts) and the repository (repository.ts).
 *
 *   const users = new UserService({ users: repository, unitOfWork, emailCheck });
 *   const ada = await users.signUp({ email: ' Ada@Example.com', name: 'Ada' }); // ada@example.com
 *   await users.signUp({ email: 'ada@example.com', name: 'Ada L.' });          // throws EmailTaken
 *
 * It knows nothing of HTTP (no statuses, no request objects) and nothing of
 * SQL: it speaks in domain errors (errors.ts), so a CLI, an import job or a
 * queue consumer can call it and get the same rules as the API. Its
 * collaborators come in through the constructor, so a test hands it fakes
 * and the lab hands it traced ones.
 */
import type { NewUser, SignUp, User } from './domain.ts';
import { EmailTaken, InvalidInput, UserNotFound } from './errors.ts';
import type { UnitOfWork, UserRepository } from './repository.ts';

/** Asks whether an address accepts mail (in production a deliverability API or an MX lookup: a call out, tens of ms). */
export interface EmailCheck {
  deliverable(email: string): Promise<boolean>;
}

export interface UserServiceOptions {
  /** For reads. */
  users: UserRepository;
  /** For writes: the service decides what is committed together, not the repository. */
  unitOfWork: UnitOfWork;
  emailCheck: EmailCheck;
}

/** One @, something before it, a dot in the domain, no spaces: the shape, not a proof the mailbox exists. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_NAME_LENGTH = 100;

/**
 * The sign-up rules, whoever calls: one mailbox is one user, however it was
 * typed (trimmed, lower-case), and the name is present and of sane length.
 */
export const checkSignUp = ({ email, name }: SignUp): NewUser => {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL_SHAPE.test(normalized)) throw new InvalidInput('email', `expected an address like ada@example.com, got ${JSON.stringify(email)}`);
  const trimmedName = name.trim();
  if (trimmedName === '') throw new InvalidInput('name', 'must not be empty');
  if (trimmedName.length > MAX_NAME_LENGTH) throw new InvalidInput('name', `at most ${MAX_NAME_LENGTH} characters, got ${trimmedName.length}`);
  return { email: normalized, name: trimmedName };
};

export class UserService {
  private readonly users: UserRepository;
  private readonly unitOfWork: UnitOfWork;
  private readonly emailCheck: EmailCheck;

  constructor(options: UserServiceOptions) {
    this.users = options.users;
    this.unitOfWork = options.unitOfWork;
    this.emailCheck = options.emailCheck;
  }

  async signUp(input: SignUp): Promise<User> {
    const user = checkSignUp(input);
    // The early answer for the common case (someone signing up twice, minutes
    // apart), before paying for the email check. Not a guarantee: another
    // sign-up for the same address can pass this line while we wait below.
    if (await this.users.findByEmail(user.email)) throw new EmailTaken(user.email);
    if (!(await this.emailCheck.deliverable(user.email))) throw new InvalidInput('email', `${user.email} does not accept mail`);
    // The guarantee: the unique constraint on users.email, which the
    // repository turns into EmailTaken for whichever sign-up comes second.
    return this.unitOfWork.run((users) => users.add(user));
  }

  async getUser(id: number): Promise<User> {
    const user = await this.users.get(id);
    if (!user) throw new UserNotFound(id);
    return user;
  }
}
