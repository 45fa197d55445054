#!/usr/bin/env node
// `lxplan [PATH]` plans; `lxplan validate|apply|import|export|help ...` run those commands.
import { execute } from '@oclif/core';

const COMMANDS = new Set(['plan', 'apply', 'validate', 'import', 'export', 'force-unlock', 'help']);
const argv = process.argv.slice(2);
const args = argv.length > 0 && COMMANDS.has(argv[0]) ? argv : ['plan', ...argv];
await execute({ dir: import.meta.url, args });
