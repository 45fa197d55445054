import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LIMITS, limitApplies, limitHint, validateConfigValue, validateLimit } from '../../src/resources/instance/limits.js';

test('the table covers the LXD resource limits', () => {
  assert.equal(Object.keys(LIMITS).sort(), [
    'cpu',
    'cpu.allowance',
    'cpu.nodes',
    'cpu.priority',
    'disk',
    'disk.priority',
    'hugepages.1GB',
    'hugepages.1MB',
    'hugepages.2MB',
    'hugepages.64KB',
    'memory',
    'memory.enforce',
    'memory.hugepages',
    'memory.swap',
    'memory.swap.priority',
    'network.priority',
    'processes',
  ]);
  assert.equal(LIMITS['memory.enforce'].values, ['hard', 'soft']);
  assert.is(LIMITS['cpu.allowance'].appliesTo, 'container');
  assert.is(LIMITS['memory.hugepages'].appliesTo, 'vm');
  assert.is(LIMITS.memory.appliesTo, 'both');
});

test('validateLimit accepts what LXD accepts', () => {
  const ok: Array<[string, string]> = [
    ['memory', '512MB'],
    ['memory', '1GiB'],
    ['memory', '536870912'],
    ['memory', '50%'],
    ['memory', '512B'],
    ['cpu', '1'],
    ['cpu', '0-3'],
    ['cpu', '0,2,4'],
    ['cpu', '1-1'],
    ['cpu.nodes', '0'],
    ['cpu.nodes', '0-1'],
    ['cpu.allowance', '40%'],
    ['cpu.allowance', '50ms/200ms'],
    ['cpu.priority', '0'],
    ['cpu.priority', '10'],
    ['memory.enforce', 'soft'],
    ['memory.swap', 'false'],
    ['memory.swap', 'on'],
    ['memory.swap.priority', '5'],
    ['memory.hugepages', 'true'],
    ['processes', '500'],
    ['disk.priority', '7'],
    ['network.priority', '3'],
    ['hugepages.2MB', '128MB'],
    ['hugepages.1GB', '2GB'],
    ['disk', '10GB'],
    ['not-a-limit', 'anything'],
  ];
  for (const [k, v] of ok) assert.is(validateLimit(k, v), null, `${k}=${v}`);
});

test('validateLimit messages say what is wrong and what to write', () => {
  const bad: Array<[string, string, string]> = [
    ['memory', '12XB', 'invalid size "12XB" for limits.memory: use a number with a unit like 512MB or 1GiB, or a percentage like 50%'],
    ['memory', '0', 'limits.memory cannot be 0'],
    ['memory', '0%', 'limits.memory cannot be 0%'],
    ['memory', '5.5%', 'invalid percentage "5.5%" for limits.memory: use a whole number like 50%'],
    ['memory', '', 'empty value for limits.memory: remove the key to leave the limit unset'],
    ['hugepages.2MB', '1.5GB', 'invalid size "1.5GB" for limits.hugepages.2MB: use a number with a unit like 512MB or 1GiB'],
    ['cpu', 'all', 'invalid CPU limit "all" for limits.cpu: use a number of CPUs like 2, or a set of CPU ids like 0-3 or 0,2,4'],
    ['cpu', '0', 'invalid CPU limit "0" for limits.cpu: use a number of CPUs like 2, or a set of CPU ids like 0-3 or 0,2,4'],
    ['cpu.nodes', '0,0', 'invalid NUMA node set "0,0" for limits.cpu.nodes: use node ids like 0, 0-1 or 0,2'],
    ['cpu.allowance', '40', 'invalid CPU allowance "40" for limits.cpu.allowance: use a percentage like 50% or a time slice like 25ms/100ms'],
    ['cpu.priority', '11', 'invalid value "11" for limits.cpu.priority: use a whole number from 0 to 10'],
    ['disk.priority', '-1', 'invalid value "-1" for limits.disk.priority: use a whole number from 0 to 10'],
    ['processes', 'many', 'invalid value "many" for limits.processes: use a whole number'],
    ['memory.swap', 'maybe', 'invalid value "maybe" for limits.memory.swap: use true or false'],
    ['memory.enforce', 'Hard', 'invalid value "Hard" for limits.memory.enforce: use one of hard, soft'],
  ];
  for (const [k, v, msg] of bad) assert.is(validateLimit(k, v), msg, `${k}=${v}`);
});

test('limitHint corrects the usual slips', () => {
  assert.is(limitHint('memory', '512 MB'), 'did you mean "512MB"?');
  assert.is(limitHint('memory', '512mb'), 'did you mean "512MB"?');
  assert.is(limitHint('memory', '1G'), 'did you mean "1GB"?');
  assert.is(limitHint('memory', '2gib'), 'did you mean "2GiB"?');
  assert.is(limitHint('memory', '1KB'), 'did you mean "1kB"?');
  assert.is(limitHint('memory', '1.5GB'), 'sizes are whole numbers: use a smaller unit (e.g. 1500MB instead of 1.5GB)');
  assert.is(limitHint('memory', '12XB'), 'units: kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); a bare number is bytes');
  assert.is(limitHint('memory.enforce', 'hrad'), 'did you mean "hard"?');
  assert.is(limitHint('cpu', '1.5'), 'CPU counts are whole numbers; for a fraction of CPU time use cpu.allowance (e.g. 50%)');
  assert.is(limitHint('cpu', '0-2,2'), 'each CPU id may appear only once');
  assert.is(limitHint('cpu.priority', '11'), undefined);
});

test('limitApplies follows the container/VM conditions', () => {
  assert.ok(limitApplies('memory', 'virtual-machine'));
  assert.ok(limitApplies('cpu.allowance', 'container'));
  assert.not.ok(limitApplies('cpu.allowance', 'virtual-machine'));
  assert.ok(limitApplies('memory.hugepages', 'virtual-machine'));
  assert.not.ok(limitApplies('memory.hugepages', 'container'));
  assert.ok(limitApplies('unknown', 'container'));
});

test('validateConfigValue: limits.* via the table, other typed keys by type', () => {
  assert.is(
    validateConfigValue('limits.memory', '12XB'),
    'invalid size "12XB" for limits.memory: use a number with a unit like 512MB or 1GiB, or a percentage like 50%',
  );
  assert.is(validateConfigValue('limits.kernel.nofile', 'whatever'), null);
  assert.is(validateConfigValue('boot.autostart', 'perhaps'), 'invalid value "perhaps" for boot.autostart: use true or false');
  assert.is(validateConfigValue('boot.autostart.delay', '5s'), 'invalid value "5s" for boot.autostart.delay: use a whole number');
  assert.is(validateConfigValue('boot.autostart', ''), null);
  assert.is(validateConfigValue('user.anything', 'x'), null);
  assert.is(
    validateConfigValue('limits.disk', '10GB'),
    'LXD has no config key limits.disk: give the root disk size as limits: {disk: ...} or as size: on the root disk device',
  );
});

test.run();
