import { Matches } from 'class-validator';

/** PostgreSQL text cannot hold NUL, and names and titles are single lines of printable text. */
export const SingleLineText = (): PropertyDecorator =>
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  Matches(/^[^\u0000-\u001f\u007f]*$/, {
    message: ({ property }) => `${property} must be a single line without control characters`,
  });

export const NoNulText = (): PropertyDecorator =>
  // eslint-disable-next-line no-control-regex -- refusing NUL is the point
  Matches(/^[^\u0000]*$/, {
    message: ({ property }) => `${property} must not contain NUL characters`,
  });
