import { createSecretKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, base64url } from 'jose';

/**
 * Token keys at rest. With PERCH_MASTER_KEY set, each key is wrapped as a JWE (dir/A256GCM)
 * under the master key, so a copy of the metadata store alone cannot mint tokens. Without it,
 * keys are stored with a `raw:` marker and `perch doctor` flags the deployment.
 */
export class MasterKey {
  private constructor(private readonly key: KeyObject | undefined) {}

  /** Parse PERCH_MASTER_KEY: 32 bytes as base64url (43 chars) or hex (64 chars). */
  static fromEnvironment(value: string | undefined): MasterKey {
    if (value === undefined || value === '') return new MasterKey(undefined);
    let bytes: Uint8Array;
    if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex');
    else if (/^[A-Za-z0-9_-]{43}$/.test(value)) bytes = base64url.decode(value);
    else throw new Error('PERCH_MASTER_KEY must be 32 bytes, as 64 hex characters or 43 base64url characters');
    return new MasterKey(createSecretKey(bytes));
  }

  get configured(): boolean {
    return this.key !== undefined;
  }

  async wrap(secret: Uint8Array): Promise<string> {
    if (!this.key) return `raw:${base64url.encode(secret)}`;
    const jwe = await new CompactEncrypt(secret).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(this.key);
    return `jwe:${jwe}`;
  }

  async unwrap(stored: string): Promise<Uint8Array> {
    if (stored.startsWith('raw:')) return base64url.decode(stored.slice(4));
    if (!stored.startsWith('jwe:')) throw new Error('Unrecognised token-key encoding in the metadata store');
    if (!this.key) throw new Error('A token key is wrapped under a master key, but PERCH_MASTER_KEY is not set');
    const { plaintext } = await compactDecrypt(stored.slice(4), this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    return plaintext;
  }
}
