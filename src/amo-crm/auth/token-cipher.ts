import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
// Node's GCM decipher accepts any tag length from 4 bytes up unless told otherwise, and a
// 4-byte tag can be forged by trial; only the full 16 bytes we write are ever accepted.
const TAG_BYTES = 16;

/**
 * AES-256-GCM for tokens at rest: a fresh 96-bit IV per write, the auth tag stored with the
 * ciphertext, and the column's purpose as associated data so a value cannot be moved to
 * another column or account unnoticed.
 */
export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('TokenCipher needs a 32-byte key');
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(
      ':',
    );
  }

  decrypt(stored: string, context: string): string {
    const [version, iv, tag, ct] = stored.split(':');
    if (version !== VERSION || !iv || !tag || ct === undefined) {
      throw new Error('Stored token has an unknown format');
    }
    const ivBytes = Buffer.from(iv, 'base64');
    const tagBytes = Buffer.from(tag, 'base64');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new Error('Stored token has a malformed IV or auth tag');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, ivBytes, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** The associated data of a stored token: its table, account and column. */
export function tokenContext(accountId: number, which: 'access' | 'refresh'): string {
  return `amo_tokens:${accountId}:${which}`;
}
