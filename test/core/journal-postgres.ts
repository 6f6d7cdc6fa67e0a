import { journalSuite } from '../helpers/journal-suite.js';
import { freshSchema, openTestJournal } from '../helpers/postgres.js';

// Each test opens a journal in a schema of its own, dropped when it ends.
journalSuite('postgres', async (t, clock) => {
  const schema = freshSchema(t);
  return openTestJournal(t, schema, clock);
});
