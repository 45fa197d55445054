#!/usr/bin/env node
// `lxplan [PATH]` plans; `lxplan validate|apply|import|export|force-unlock ...` run those
// commands; `lxplan help [COMMAND]` lists the commands or shows one's help (../src/cli/dispatch.ts).
import { execute } from '@oclif/core';
import { failUsage, lxplanArgs } from '../dist/src/cli/dispatch.js';

const argv = process.argv.slice(2);
let args;
try {
  args = lxplanArgs(argv);
} catch (e) {
  failUsage(e, argv);
}
await execute({ dir: import.meta.url, args });
