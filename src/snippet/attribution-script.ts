import { createHash } from 'node:crypto';
import { installAttribution } from './attribution-snippet';

/** The served file: a short header and the installer, run once on load. */
export const ATTRIBUTION_SCRIPT = `/* Lead attribution snippet: keeps the first-touch UTM tags and click ids in
 * localStorage (90 days) and adds them to the lead form's post. Usage:
 *   fetch(API + '/api/leads', { method: 'POST', headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify(window.LeadAttribution.addTo(formFields)) });
 * Documentation: docs/INCOMING-LEADS.md. */
(${installAttribution.toString()})(window, Date.now());
`;

export const ATTRIBUTION_SCRIPT_ETAG = `"${createHash('sha256').update(ATTRIBUTION_SCRIPT).digest('base64url').slice(0, 22)}"`;
