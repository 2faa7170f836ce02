import { describeBootFailure } from './boot-failure';

describe('describeBootFailure', () => {
  it('lists every configuration problem on one line', () => {
    const err = new Error('Invalid configuration:\n  - PORT must be an integer\n  - HOST is bad');
    expect(describeBootFailure(err, null)).toBe(
      'Invalid configuration: PORT must be an integer; HOST is bad. Check the environment and .env (see .env.example)',
    );
  });

  it('names host, port and database of an unreachable server but never its password', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6543'), {
      code: 'ECONNREFUSED',
    });
    const text = describeBootFailure(err, 'postgresql://app:s3cret@db.internal:6543/leads');
    expect(text).toBe(
      'Cannot connect to PostgreSQL at db.internal:6543, database "leads" (from DATABASE_URL): ' +
        'connection refused; check that the server is running and listens there; ' +
        'or unset DATABASE_URL to use the embedded database',
    );
    expect(text).not.toContain('s3cret');
  });

  it('says what to fix for a refused password and a missing database', () => {
    const auth = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    expect(describeBootFailure(auth, 'postgresql://u@h/db')).toContain(
      'check the user and password',
    );
    const missing = Object.assign(new Error('database "x" does not exist'), { code: '3D000' });
    expect(describeBootFailure(missing, 'postgresql://u@h/x')).toContain('create it (createdb)');
  });

  it('passes other failures through with their message', () => {
    expect(describeBootFailure(new Error('boom'), null)).toBe('Failed to start: boom');
  });
});
