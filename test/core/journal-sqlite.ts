import path from 'node:path';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { journalSuite } from '../helpers/journal-suite.js';
import { tempDir } from '../helpers/temp.js';

journalSuite('sqlite', async (t, clock) => new SqliteJournal({ file: path.join(tempDir(t), 'journal.db'), clock }));
