// Child process for the disk store's crash test: commits one entry, leaves a second half-written, then waits to be
// SIGKILLed. Usage: node disk-writer-child.ts DIR
import { DiskCacheStore } from '../disk-store.ts';
import { sampleEntry } from '../contract.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: disk-writer-child.ts DIR');
const store = await DiskCacheStore.open({ dir, maxBytes: 10_000_000 });
const done = await store.createWriter(sampleEntry({ key: 'committed' }));
await done.write(Buffer.from('complete body'));
await done.commit();
const partial = await store.createWriter(sampleEntry({ key: 'partial' }));
await partial.write(Buffer.alloc(100_000, 7));
process.stdout.write('READY\n');
setInterval(() => undefined, 1000);
