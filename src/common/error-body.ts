import { FieldError } from './domain-errors';

/** The one error shape every endpoint answers with. */
export interface ErrorBody {
  statusCode: number;
  message: string;
  errors?: FieldError[];
}
