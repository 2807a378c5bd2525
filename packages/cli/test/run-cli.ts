// The command line in a process of its own, from the sources (for tests that need one: --watch, stdin).
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2));
