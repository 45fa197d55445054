import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonical,
  canonicalCpuSet,
  parseBool,
  parseByteSize,
  parseByteSizeBig,
  parseCpuAllowance,
  parseCpuLimit,
  parseCpuSet,
  parsePercent,
  sameValue,
} from '../../src/resources/units.js';

test('parseByteSize: the units LXD accepts', () => {
  const table: Array<[string, number | null]> = [
    ['0', 0],
    ['512', 512],
    ['512B', 512],
    ['512 bytes', 512],
    ['0512MB', 512e6],
    ['1kB', 1000],
    ['1MB', 1e6],
    ['1GB', 1e9],
    ['1TB', 1e12],
    ['1PB', 1e15],
    ['1EB', 1e18],
    ['1KiB', 1024],
    ['1MiB', 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['1TiB', 1024 ** 4],
    ['1PiB', 1024 ** 5],
    ['1EiB', 1024 ** 6],
    ['256MB', 256e6],
    ['2GiB', 2 * 1024 ** 3],
  ];
  for (const [s, want] of table) assert.is(parseByteSize(s), want, s);
});

test('parseByteSize: what LXD rejects', () => {
  for (const s of [
    '',
    'MB',
    '12XB',
    '512 MB',
    '512mb',
    '512M',
    '512KB',
    '512kb',
    '1.5GB',
    '-1',
    '+5',
    ' 512',
    '512 ',
    '1e3',
    '0x10',
    '5GBB',
    '9223372036854775808',
    '9EiB',
    '10EB',
  ])
    assert.is(parseByteSize(s), null, JSON.stringify(s));
});

test('parseByteSizeBig is exact up to int64', () => {
  assert.is(parseByteSizeBig('9223372036854775807'), 9223372036854775807n);
  assert.is(parseByteSizeBig('7EiB'), 7n * 1024n ** 6n);
  assert.is(parseByteSizeBig('8EiB'), null);
});

test('parseCpuSet and canonicalCpuSet', () => {
  assert.equal(parseCpuSet('0-2,7'), [0, 1, 2, 7]);
  assert.equal(parseCpuSet('7,0-2'), [0, 1, 2, 7]);
  assert.equal(parseCpuSet('3'), [3]);
  for (const s of ['', '0-', '-1', '1,,2', '1-3,3', '3-1', 'a', '0 - 2', '1,2,', '1-2-3', '0-99999999']) assert.is(parseCpuSet(s), null, s);
  assert.is(canonicalCpuSet('0,1,2'), '0-2');
  assert.is(canonicalCpuSet('2,0-1,5,7,6'), '0-2,5-7');
  assert.is(canonicalCpuSet('x'), null);
});

test('parseCpuLimit: a bare number is a count, anything else a set', () => {
  assert.equal(parseCpuLimit('2'), { count: 2 });
  assert.equal(parseCpuLimit('02'), { count: 2 });
  assert.equal(parseCpuLimit('2-2'), { set: [2] });
  assert.equal(parseCpuLimit('0,2'), { set: [0, 2] });
  assert.is(parseCpuLimit('0'), null);
  assert.is(parseCpuLimit('0.5'), null);
});

test('parsePercent and parseCpuAllowance', () => {
  assert.is(parsePercent('50%'), 50);
  assert.is(parsePercent('050%'), 50);
  assert.is(parsePercent('50'), null);
  assert.is(parsePercent('5.5%'), null);
  assert.equal(parseCpuAllowance('40%'), { percent: 40 });
  assert.equal(parseCpuAllowance('50ms/200ms'), { quotaMs: 50, periodMs: 200 });
  assert.equal(parseCpuAllowance('50/200'), { quotaMs: 50, periodMs: 200 });
  for (const s of ['40', '1.5GB', '50ms', '50ms/0ms', 'ams/100ms', '-5%']) assert.is(parseCpuAllowance(s), null, s);
});

test('parseBool: LXD spellings, any case', () => {
  for (const s of ['true', 'TRUE', '1', 'yes', 'Yes', 'on']) assert.is(parseBool(s), true, s);
  for (const s of ['false', '0', 'no', 'off', 'OFF']) assert.is(parseBool(s), false, s);
  for (const s of ['', 'y', 'maybe', '2']) assert.is(parseBool(s), null, s);
});

test('canonical: values LXD treats alike compare equal', () => {
  const same: Array<[string, string, string]> = [
    ['limits.memory', '512MB', '512000000'],
    ['limits.memory', '512MB', '512000kB'],
    ['limits.memory', '1GiB', '1024MiB'],
    ['limits.memory', '1GiB', '1073741824B'],
    ['limits.memory', '50%', '050%'],
    ['limits.hugepages.2MB', '2MB', '2000000'],
    ['limits.cpu', '0,1,2', '0-2'],
    ['limits.cpu', '2,0-1', '0-2'],
    ['limits.cpu', '2', '02'],
    ['limits.cpu.nodes', '0,1', '0-1'],
    ['limits.cpu.allowance', '50ms/200ms', '50/200'],
    ['limits.cpu.allowance', '40%', '040%'],
    ['limits.cpu.priority', '01', '1'],
    ['limits.processes', '0100', '100'],
    ['boot.autostart', 'true', '1'],
    ['boot.autostart', 'yes', 'on'],
    ['boot.autostart', 'TRUE', 'true'],
    ['security.nesting', 'false', 'off'],
    ['security.nesting', 'no', '0'],
    ['boot.autostart.delay', '010', '10'],
    ['user.note', ' hello ', 'hello'],
  ];
  for (const [k, a, b] of same) assert.ok(sameValue(k, a, b), `${k}: ${a} == ${b}`);
});

test('canonical: values that differ in meaning stay different', () => {
  const differ: Array<[string, string, string]> = [
    ['limits.memory', '512MB', '512MiB'],
    ['limits.memory', '512 MB', '512MB'], // LXD rejects the first
    ['limits.memory', '50%', '50'],
    ['limits.cpu', '2', '2-2'], // two CPUs vs CPU number 2
    ['limits.cpu', '1', '0-1'],
    ['limits.cpu.allowance', '50%', '50ms/100ms'],
    ['boot.autostart', 'true', 'false'],
    ['user.flag', 'true', '1'], // not a bool key: strings
    ['environment.X', '01', '1'],
  ];
  for (const [k, a, b] of differ) assert.not.ok(sameValue(k, a, b), `${k}: ${a} != ${b}`);
});

test('canonical: the forms', () => {
  assert.is(canonical('limits.memory', '512MB'), '512000000');
  assert.is(canonical('limits.memory', '50%'), '50%');
  assert.is(canonical('limits.cpu', '0,1,2,7'), '0-2,7');
  assert.is(canonical('limits.cpu', '3-3'), '3-3');
  assert.is(canonical('limits.cpu', '4'), '4');
  assert.is(canonical('limits.cpu.allowance', '25/100'), '25ms/100ms');
  assert.is(canonical('boot.autostart', 'On'), 'true');
  assert.is(canonical('limits.memory', '12XB'), '12XB'); // invalid: itself
  assert.is(canonical('user.anything', '  x '), 'x');
});

test.run();
