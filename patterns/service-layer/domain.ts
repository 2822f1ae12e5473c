/**
 * The users of the sign-up service, as every layer sees them. The same
 * `users` table as the repository pattern's: a learner sees the same data
 * through another lens.
 */

/** A user as the service hands it out (and the API answers it). */
export interface User {
  id: number;
  /** Normalized: trimmed and lower-case, so one mailbox is one user. */
  email: string;
  name: string;
  /** Starts at 1; a change to the user would increment it. */
  version: number;
  /** When the user signed up, epoch ms on the service's clock. */
  createdAt: number;
}

/** What a sign-up asks for, as the caller typed it (the service cleans it up). */
export interface SignUp {
  email: string;
  name: string;
}

/** A user about to be stored: the service has already checked and normalized it. */
export interface NewUser {
  email: string;
  name: string;
}
