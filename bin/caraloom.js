#!/usr/bin/env -S node --max-semi-space-size=4
// Node flags on the #! line: core/runtime-flags.ts says why (test/ops/runtime-flags.ts keeps them equal).
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
