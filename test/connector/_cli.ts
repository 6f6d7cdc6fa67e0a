// Runs the real CLI from source (tests spawn it with `node --import tsx`).
import { main } from '../../cli/main.js';

await main(process.argv.slice(2));
