/**
 * The service's errors, in the words of the domain. The service throws these
 * and nothing else on purpose: its callers (the HTTP routes today, a CLI or a
 * queue consumer tomorrow) decide what each means to them. None of them knows
 * about HTTP: routes.ts maps them to statuses, in one place.
 */

/** The input breaks a business rule: `field` says which, `reason` says why (a 422). */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Someone already signed up with this email (a 409). */
export class EmailTaken extends Error {
  override readonly name = 'EmailTaken';

  constructor(readonly email: string) {
    super(`${email} is already registered`);
  }
}

/** No user has this id (a 404). */
export class UserNotFound extends Error {
  override readonly name = 'UserNotFound';

  constructor(readonly id: number) {
    super(`user ${id} does not exist`);
  }
}
