import { ApiKeyStore } from '../store/api-key-store';
import { openStorage, type StorageOptions } from '../store/open-storage';
import type { KeyAdmin } from './keys';

/** The key store and audit log over the configured storage (migrated by openStorage). */
export async function openKeyAdmin(opts: StorageOptions): Promise<KeyAdmin & { close(): Promise<void> }> {
  const storage = await openStorage(opts);
  return { keys: new ApiKeyStore(storage.client), audit: storage, close: () => storage.close() };
}
