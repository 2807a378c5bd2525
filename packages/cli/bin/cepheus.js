#!/usr/bin/env node
// Loads the TypeScript sources through tsx (the workspace ships sources, not a build).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
