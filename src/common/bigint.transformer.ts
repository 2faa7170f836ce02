import { ValueTransformer } from 'typeorm';

/** amoCRM ids are bigint columns; they fit in a JS number, which is what the API speaks. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
