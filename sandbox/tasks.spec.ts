import { SANDBOX_FIXTURES as F, startSandbox, type AmoSandbox } from './index';
import { client, connect } from './spec-helpers';

describe('sandbox users, tasks and account time zone', () => {
  let sb: AmoSandbox;
  let api: ReturnType<typeof client>;

  beforeEach(async () => {
    sb = await startSandbox({ rateLimitPerSecond: 1000 });
    api = client(sb, (await connect(sb)).access);
  });
  afterEach(async () => {
    await sb.stop();
  });

  async function lead(): Promise<number> {
    const res = await api.post('/api/v4/leads', [{ name: 'L' }]);
    return res.json._embedded.leads[0].id as number;
  }

  it('lists users with rights.is_active, an inactive one included', async () => {
    const res = await api.get('/api/v4/users');
    expect(res.status).toBe(200);
    const users = res.json._embedded.users as { id: number; rights: { is_active: boolean } }[];
    expect(users.find((u) => u.id === F.users.agent)?.rights.is_active).toBe(true);
    expect(users.find((u) => u.id === F.users.inactive)?.rights.is_active).toBe(false);
    expect((await api.get(`/api/v4/users/${F.users.manager3}`)).json.id).toBe(F.users.manager3);
    expect((await api.get('/api/v4/users/1')).status).toBe(204);
  });

  it('refuses an inactive user as responsible for a lead', async () => {
    const res = await api.post('/api/v4/leads', [
      { name: 'L', responsible_user_id: F.users.inactive },
    ]);
    expect(res.status).toBe(400);
    expect(res.json['validation-errors'][0].errors[0]).toMatchObject({
      code: 'NotSupportedChoice',
      path: 'responsible_user_id',
    });
  });

  it('creates a task on a lead and lists it by entity', async () => {
    const id = await lead();
    const res = await api.post('/api/v4/tasks', [
      {
        text: 'Call back',
        complete_till: 1900000000,
        entity_id: id,
        entity_type: 'leads',
        task_type_id: 1,
        responsible_user_id: F.users.agent,
        request_id: 'r1',
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.json._embedded.tasks[0]).toMatchObject({ request_id: 'r1' });
    const list = await api.get(
      `/api/v4/tasks?filter[entity_type]=leads&filter[entity_id][]=${id}&filter[is_completed]=0`,
    );
    expect(list.json._embedded.tasks).toEqual([
      expect.objectContaining({
        text: 'Call back',
        complete_till: 1900000000,
        responsible_user_id: F.users.agent,
        is_completed: false,
      }),
    ]);
    expect((await api.get('/api/v4/tasks?filter[entity_id][]=1')).status).toBe(204);
    expect(sb.tasks()).toHaveLength(1);
  });

  it('gives a task without a responsible user to the token user', async () => {
    await api.post('/api/v4/tasks', [{ text: 'T', complete_till: 1900000000 }]);
    expect(sb.tasks()[0]?.responsible_user_id).toBe(F.users.admin);
  });

  it.each([
    [{ complete_till: 1900000000 }, 'NotBlank', 'text'],
    [{ text: '  ', complete_till: 1900000000 }, 'NotBlank', 'text'],
    [{ text: 'T' }, 'NotBlank', 'complete_till'],
    [{ text: 'T', complete_till: '1900000000' }, 'InvalidType', 'complete_till'],
    [{ text: 'T', complete_till: 1, entity_id: 1 }, 'NotBlank', 'entity_type'],
    [{ text: 'T', complete_till: 1, entity_id: 1, entity_type: 'leads' }, 'NotFound', 'entity_id'],
    [
      { text: 'T', complete_till: 1, entity_id: 1, entity_type: 'deals' },
      'NotSupportedChoice',
      'entity_type',
    ],
    [{ text: 'T', complete_till: 1, task_type_id: 99 }, 'NotSupportedChoice', 'task_type_id'],
    [
      { text: 'T', complete_till: 1, responsible_user_id: 123 },
      'NotSupportedChoice',
      'responsible_user_id',
    ],
    [{ text: 'T', complete_till: 1, colour: 'red' }, 'UnexpectedField', 'colour'],
  ])('refuses the task %j with %s on %s, writing nothing', async (item, code, path) => {
    const res = await api.post('/api/v4/tasks', [item]);
    expect(res.status).toBe(400);
    expect(res.json['validation-errors'][0].errors).toContainEqual(
      expect.objectContaining({ code, path }),
    );
    expect(sb.tasks()).toHaveLength(0);
  });

  it('reports the configured time zone in datetime_settings', async () => {
    sb.configure({ timezone: 'Asia/Vladivostok' });
    const res = await api.get('/api/v4/account?with=datetime_settings');
    expect(res.json._embedded.datetime_settings).toMatchObject({
      timezone: 'Asia/Vladivostok',
      timezone_offset: '+10:00',
    });
  });

  it('keeps tasks in the state file across a restart', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sbx-tasks-'));
    const file = join(dir, 'state.json');
    const first = await startSandbox({ stateFile: file, rateLimitPerSecond: 1000 });
    const firstApi = client(first, (await connect(first)).access);
    await firstApi.post('/api/v4/tasks', [{ text: 'T', complete_till: 1900000000 }]);
    await first.stop();
    const second = await startSandbox({ stateFile: file, rateLimitPerSecond: 1000 });
    expect(second.tasks().map((t) => t.text)).toEqual(['T']);
    await second.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a request as in flight while it waits out injected latency', async () => {
    sb.setLatency(300);
    const pending = api.post('/api/v4/tasks', [{ text: 'T', complete_till: 1900000000 }]);
    while (!sb.inFlight().some((r) => r.method === 'POST' && r.path === '/api/v4/tasks')) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sb.tasks()).toHaveLength(0);
    expect((await pending).status).toBe(200);
    expect(sb.inFlight()).toEqual([]);
    expect(sb.tasks()).toHaveLength(1);
  });
});
