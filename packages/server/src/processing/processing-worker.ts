/**
 * The processing thread: runs the rules over the log, read through a read-only storage
 * connection of its own, and sends each step's commit to the service's thread, which writes it
 * (one writer). Matching and ingestion (HTTP, validation, the log's commits) then use two cores.
 * See ProcessingThread for the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CompiledRules } from '../rules/compiled-rules.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { FromWorker, ProcessingSetup, Progress, ToWorker } from './messages.js';
import { Processor } from './processor.js';

const port = parentPort!;
const setup = workerData as ProcessingSetup;
const post = (m: FromWorker) => port.postMessage(m);
const storage = new SqliteStorage(setup.data, setup.synchronous, { readonly: true });
const processor: Processor = new Processor({
  storage,
  rules: new CompiledRules(storage),
  outOfOrdernessMs: setup.outOfOrdernessMs,
  checkpointEvery: setup.checkpointEvery,
  write: (commit) => post({ type: 'commit', commit, progress: progress() }),
});

function progress(): Progress {
  return { processed: processor.processed, watermark: processor.watermark, maxEventTime: processor.maxEventTime };
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'notify':
      processor.notify();
      return;
    case 'committed':
      processor.confirmed(m.processed);
      return;
    case 'counts':
      post({ type: 'counts', id: m.id, counts: { keys: processor.keyCounts(), partialMatches: processor.partialMatchCounts() } });
      return;
    case 'close':
      processor.catchUp();
      processor.checkpointNow();
      storage.close();
      post({ type: 'closed' });
      port.close();
  }
});
post({ type: 'started', progress: progress() });
processor.notify(); // the replay of the log after the checkpoint
