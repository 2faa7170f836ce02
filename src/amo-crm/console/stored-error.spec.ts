import { AmoCrmError } from '../client/amo-crm.error';
import { splitStoredError } from './stored-error';

describe('splitStoredError', () => {
  it('reads back the validation errors AmoCrmError.describe() stored, one per entry', () => {
    const err = new AmoCrmError('permanent', 'amoCRM refused the complex create (400)', {
      status: 400,
      validationErrors: [
        {
          requestId: '0',
          code: 'NotSupportedChoice',
          path: 'custom_fields_values.0.field_id',
          detail: 'The value you selected is not a valid choice.',
        },
        {
          requestId: null,
          code: 'FieldMissing',
          path: 'name',
          detail: 'This field is missing; again.',
        },
      ],
    });
    expect(splitStoredError(err.describe())).toEqual({
      reason: 'permanent 400: amoCRM refused the complex create (400)',
      validationErrors: [
        {
          path: 'custom_fields_values.0.field_id',
          code: 'NotSupportedChoice',
          detail: 'The value you selected is not a valid choice.',
        },
        { path: 'name', code: 'FieldMissing', detail: 'This field is missing; again.' },
      ],
    });
  });

  it('keeps an error without a list whole, and a missing one as null', () => {
    expect(splitStoredError('transient 503: amoCRM answered 503; hint: try later')).toEqual({
      reason: 'transient 503: amoCRM answered 503; hint: try later',
      validationErrors: [],
    });
    expect(splitStoredError(null)).toEqual({ reason: null, validationErrors: [] });
  });
});
