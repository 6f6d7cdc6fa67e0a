/**
 * A journal instance in its own process, for tests that kill it with
 * SIGKILL. Usage: node --import tsx postgres-instance.ts <url> <schema> <queue> <limit>
 * It claims up to <limit> items with a 60 s lease, prints their ids as one
 * JSON line, then hangs as if the deliveries were in flight.
 */
import { openPostgresJournal } from '../../core/journal/postgres.js';

const [url, schema, queue, limit] = process.argv.slice(2);
const journal = await openPostgresJournal({ url: url!, schema: schema!, poolSize: 2 });
const items = await journal.claim({ queue: queue!, limit: Number(limit), leaseMs: 60_000, owner: `pid-${process.pid}` });
process.stdout.write(`${JSON.stringify(items.map((item) => item.id))}\n`);
setInterval(() => undefined, 1_000); // "delivering" until killed
