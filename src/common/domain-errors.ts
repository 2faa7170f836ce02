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
