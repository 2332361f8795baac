/**
 * Encryption at rest of the secrets the server keeps for projects (model API keys): AES-256-GCM with a
 * server key. The key comes from `SPECLINE_SECRET_KEY` — 32 bytes as base64/base64url or 64 hex digits,
 * or any other string as a passphrase stretched with scrypt — or, when unset, from
 * `<dataDir>/secret-key` (32 random bytes, created once with mode 0600).
 *
 * Sealed form: `v1.<base64url(iv ‖ tag ‖ ciphertext)>`. The caller's context (`project:<id>`) is
 * authenticated as associated data, so a sealed value copied onto another row does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws `SecretUnreadableError` when the value was sealed under another key or context, or is damaged. */
  open(sealed: string, context: string): string;
}

export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
}

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Fixed salt: the passphrase is the secret; the salt only separates this use from others. */
const PASSPHRASE_SALT = 'specline/secret-box/v1';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed, context) {
      if (!sealed.startsWith(VERSION)) throw new SecretUnreadableError('unknown sealed-secret format');
      const raw = Buffer.from(sealed.slice(VERSION.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretUnreadableError('sealed secret is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadableError('the secret cannot be decrypted with the current server key (SPECLINE_SECRET_KEY changed?)');
      }
    },
  };
}

/** `SPECLINE_SECRET_KEY` → 32 key bytes: hex or base64 of exactly 32 bytes as they are, anything else through scrypt. */
export function keyFromSetting(setting: string): Buffer {
  const value = setting.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === 32) return bytes;
  }
  return scryptSync(value, PASSPHRASE_SALT, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

/**
 * The key file of a data directory: read it, or create it once (atomically: written to a temporary
 * file and hard-linked into place, so a concurrent reader never sees half a key). `created` says
 * whether this call made it.
 */
export function loadOrCreateKeyFile(file: string): { key: Buffer; created: boolean } {
  const read = () => {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key; restore it (stored API keys need it) or delete it to generate a new one`);
    return key;
  };
  try {
    return { key: read(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
    return { key: read(), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { key: read(), created: false };
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

export interface SecretBoxSource {
  secretKey: string | undefined;
  dataDir: string;
}

/** The server's secret box, and where its key came from (for the one start-up log line). */
export function secretBoxFor(source: SecretBoxSource): { box: SecretBox; origin: 'setting' | 'file' | 'generated'; file: string | null } {
  if (source.secretKey) return { box: createSecretBox(keyFromSetting(source.secretKey)), origin: 'setting', file: null };
  const file = path.join(source.dataDir, 'secret-key');
  const { key, created } = loadOrCreateKeyFile(file);
  return { box: createSecretBox(key), origin: created ? 'generated' : 'file', file };
}
