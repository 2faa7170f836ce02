/**
 * The sandbox's state in a JSON file, so a restarted sandbox is the same amoCRM account: the
 * same leads, contacts and ids (new ones continue after the old), the same tokens and webhook
 * registrations. Written whole after each request (atomically: temp file, then rename) and on
 * stop; demo-sized data only.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LongLivedState, LongLivedTokens } from './long-lived-tokens';
import type { OAuthServer, OAuthState } from './oauth';
import type { ContactRecord, LeadRecord, LinkRecord, NoteRecord, SandboxStore } from './store';
import type { TaskBook, TaskRecord } from './tasks';
import type { SandboxWebhook } from './types';
import type { WebhookSender } from './webhooks';

const VERSION = 1;

interface SavedState {
  version: number;
  accountId: number;
  store: {
    leads: LeadRecord[];
    deletedLeads: LeadRecord[];
    contacts: ContactRecord[];
    notes: NoteRecord[];
    links: LinkRecord[];
    tags: { id: number; name: string }[];
    complexRequestIds: [number, string][];
    ids: SandboxStore['ids'];
  };
  /** absent in files written before tasks existed */
  tasks?: { tasks: TaskRecord[]; nextId: number };
  oauth: OAuthState;
  /** absent in files written before long-lived tokens existed */
  longLived?: LongLivedState;
  webhooks: { hooks: SandboxWebhook[]; nextId: number };
}

export interface PersistedParts {
  accountId: number;
  store: SandboxStore;
  tasks: TaskBook;
  oauth: OAuthServer;
  longLived: LongLivedTokens;
  sender: WebhookSender;
}

export class StateFile {
  constructor(private readonly path: string) {}

  /** Loads the file into the parts; false when there is none yet. A foreign or broken file stops the start. */
  load(parts: PersistedParts): boolean {
    if (!existsSync(this.path)) return false;
    let saved: SavedState;
    try {
      saved = JSON.parse(readFileSync(this.path, 'utf8')) as SavedState;
    } catch (err) {
      throw new Error(`sandbox state ${this.path} is not valid JSON: ${String(err)}`);
    }
    if (saved.version !== VERSION) {
      throw new Error(
        `sandbox state ${this.path} has version ${saved.version}, expected ${VERSION}`,
      );
    }
    if (saved.accountId !== parts.accountId) {
      throw new Error(
        `sandbox state ${this.path} belongs to account ${saved.accountId}, not ${parts.accountId}`,
      );
    }
    const { store } = parts;
    const s = saved.store;
    for (const l of s.leads) store.leads.set(l.id, l);
    for (const l of s.deletedLeads) store.deletedLeads.set(l.id, l);
    for (const c of s.contacts) store.contacts.set(c.id, c);
    for (const n of s.notes) store.notes.set(n.id, n);
    store.links.push(...s.links);
    for (const t of s.tags) store.tags.set(t.id, t);
    for (const [id, rid] of s.complexRequestIds) store.complexRequestIds.set(id, rid);
    Object.assign(store.ids, s.ids);
    for (const t of saved.tasks?.tasks ?? []) parts.tasks.tasks.set(t.id, t);
    if (saved.tasks) parts.tasks.nextId = saved.tasks.nextId;
    parts.oauth.importState(saved.oauth);
    parts.longLived.importState(saved.longLived);
    parts.sender.importState(saved.webhooks);
    return true;
  }

  save(parts: PersistedParts): void {
    const { store } = parts;
    const saved: SavedState = {
      version: VERSION,
      accountId: parts.accountId,
      store: {
        leads: [...store.leads.values()],
        deletedLeads: [...store.deletedLeads.values()],
        contacts: [...store.contacts.values()],
        notes: [...store.notes.values()],
        links: store.links,
        tags: [...store.tags.values()],
        complexRequestIds: [...store.complexRequestIds],
        ids: store.ids,
      },
      tasks: { tasks: [...parts.tasks.tasks.values()], nextId: parts.tasks.nextId },
      oauth: parts.oauth.exportState(),
      longLived: parts.longLived.exportState(),
      webhooks: parts.sender.exportState(),
    };
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    // Tokens are in here: readable by the owner only.
    writeFileSync(tmp, JSON.stringify(saved), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
