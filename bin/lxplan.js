#!/usr/bin/env node
// `lxplan [PATH]` plans; `lxplan validate|apply|import|export|force-unlock ...` run those
// commands; `lxplan help [COMMAND]` lists the commands or shows one's help.
import { execute } from '@oclif/core';

const COMMANDS = new Set(['plan', 'apply', 'validate', 'import', 'export', 'force-unlock']);
const argv = process.argv.slice(2);
let args;
if (argv[0] === 'help') args = argv[1] ? [argv[1], '--help'] : ['--help'];
else if (argv.length > 0 && COMMANDS.has(argv[0])) args = argv;
else args = ['plan', ...argv];
await execute({ dir: import.meta.url, args });
