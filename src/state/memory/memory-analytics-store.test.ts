import { analyticsStoreContract } from '../contract/index.ts';
import { MemoryAnalyticsStore } from './memory-analytics-store.ts';

analyticsStoreContract('memory', async () => {
  const store = new MemoryAnalyticsStore();
  return { store, peer: store, close: () => store.close() };
});
