/** The sandbox's front page: its leads as a manager would see them, with a way to move them. */
import { PIPELINES, statusName, findPipeline } from './fixtures';
import type { SandboxContact, SandboxLead, SandboxWebhook, WebhookDelivery } from './types';

export interface PageData {
  accountId: number;
  baseDomain: string;
  leads: SandboxLead[];
  contacts: SandboxContact[];
  webhooks: SandboxWebhook[];
  deliveries: WebhookDelivery[];
}

function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function phoneOf(contact: SandboxContact | undefined): string {
  const field = contact?.custom_fields_values?.find((f) => f.field_code === 'PHONE');
  return field?.values.map((v) => String(v.value)).join(', ') ?? '';
}

function stageOptions(lead: SandboxLead): string {
  return PIPELINES.map((p) => {
    const options = p.statuses
      .filter((s) => s.type === 0)
      .map((s) => {
        const selected = p.id === lead.pipeline_id && s.id === lead.status_id ? ' selected' : '';
        return `<option value="${p.id}:${s.id}"${selected}>${esc(s.name)}</option>`;
      })
      .join('');
    return `<optgroup label="${esc(p.name)}">${options}</optgroup>`;
  }).join('');
}

function time(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

export function renderPage(data: PageData): string {
  const contacts = new Map(data.contacts.map((c) => [c.id, c]));
  const rows = [...data.leads]
    .sort((a, b) => b.id - a.id)
    .map((lead) => {
      const main = lead._embedded.contacts?.find((c) => c.is_main) ?? lead._embedded.contacts?.[0];
      const contact = main ? contacts.get(main.id) : undefined;
      const pipeline = findPipeline(lead.pipeline_id)?.name ?? lead.pipeline_id;
      return `<tr>
  <td>${lead.id}</td><td>${esc(lead.name)}</td><td class="num">${lead.price}</td>
  <td>${esc(contact?.name ?? '—')}</td><td>${esc(phoneOf(contact))}</td>
  <td>${esc(pipeline)} / <b>${esc(statusName(lead.pipeline_id, lead.status_id))}</b></td>
  <td>${time(lead.updated_at)}</td>
  <td><form method="post" action="/_sandbox/leads/${lead.id}/move">
    <select name="stage">${stageOptions(lead)}</select> <button>Move</button></form></td>
</tr>`;
    })
    .join('\n');
  const deliveries = data.deliveries
    .slice(-10)
    .reverse()
    .map(
      (d) =>
        `<li><code>${esc(d.status)}</code> ${new Date(d.at).toISOString()} → ${esc(d.destination)}` +
        ` <small>(attempt ${d.attempt})</small></li>`,
    )
    .join('');
  const hooks = data.webhooks
    .map(
      (h) =>
        `<li>${esc(h.destination)} — ${esc(h.settings.join(', '))}${h.disabled ? ' (disabled)' : ''}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>amoCRM sandbox — ${esc(data.baseDomain)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem .5rem;text-align:left}
th{background:#f3f5f7}.num{text-align:right}small,.muted{color:#777}form{margin:0}
section{margin-top:2rem}
</style></head>
<body>
<h1>amoCRM sandbox <span class="muted">${esc(data.baseDomain)} · account ${data.accountId}</span></h1>
<p><a href="/">Refresh</a> · moving a lead here acts as a manager in amoCRM and fires the account webhooks.</p>
<table><thead><tr><th>ID</th><th>Lead</th><th>Price</th><th>Contact</th><th>Phone</th><th>Stage</th><th>Updated (UTC)</th><th>Move to</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="8" class="muted">No leads yet.</td></tr>'}
</tbody></table>
<section><h2>New lead</h2>
<form method="post" action="/_sandbox/leads">
<input name="name" placeholder="Name" required> <input name="price" type="number" min="0" placeholder="Price">
<button>Create</button></form></section>
<section><h2>Webhooks</h2><ul>${hooks || '<li class="muted">none registered</li>'}</ul>
<h3>Recent deliveries</h3><ul>${deliveries || '<li class="muted">none yet</li>'}</ul></section>
</body></html>`;
}
