#!/usr/bin/env node
// `lxapply [PATH]` is `lxplan apply [PATH]`.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url, args: ['apply', ...process.argv.slice(2)] });
