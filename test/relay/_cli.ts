// Runs the caraloom CLI from source (the tests do not need a build).
import { main } from '../../cli/main.js';

await main(process.argv.slice(2));
