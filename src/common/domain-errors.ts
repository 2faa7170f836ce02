/** A field and what is wrong with it, as shown to API callers. */
export interface FieldError {
  field: string;
  messages: string[];
}

/** Errors raised by services; the global filter turns them into HTTP answers. */
export class DomainError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export class InvalidInputError extends DomainError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {}

/** A dependency we rely on (amoCRM) failed or could not be reached: 502. */
export class UpstreamError extends DomainError {}

/** A feature is switched off by configuration: 503. */
export class NotConfiguredError extends DomainError {}

/** The caller is not allowed to do this (foreign account, bad signature): 403. */
export class ForbiddenError extends DomainError {}

/** The caller's credentials are wrong (the console's sign-in): 401. */
export class UnauthorizedError extends DomainError {}
