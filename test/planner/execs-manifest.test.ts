/**
 * execs: and wait_for: as the manifest reads them: the desired object they make, and the errors
 * (file:line:col) for values the schema cannot judge.
 */
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifests } from '../../src/manifest/index.js';
import { parseDuration } from '../../src/resources/instance/wait.js';
import { loadError, summary, tree } from '../manifest/helpers.js';

const GOOD = `instances:
  app:
    image: busybox
    files:
      /etc/app.conf: {content: "x"}
    wait_for:
      - file: /run/ready
      - command: [test, -e, /tmp/x]
        timeout: 10s
      - delay: 1m30s
      - ipv4: eth0
    execs:
      setup:
        command: [sh, -c, "echo hi"]
      reload:
        command: [kill, -HUP, "1"]
        when: {changed: [/etc/app.conf, limits.memory]}
        timeout: 30s
        environment: {A: b}
        cwd: /root
        uid: 1000
        gid: 1000
      check:
        command: ["true"]
        when: always
`;

test('execs and wait_for become the desired instance: in order, defaults filled in, watched names in the plan’s terms', async () => {
  const dir = await tree({ 'lxplan.yaml': GOOD });
  const manifest = await loadManifests(dir);
  const d = manifest.instances.app;
  assert.equal(d.execs, [
    { name: 'setup', command: ['sh', '-c', 'echo hi'], timeoutS: 300, when: 'created' },
    {
      name: 'reload',
      command: ['kill', '-HUP', '1'],
      environment: { A: 'b' },
      cwd: '/root',
      uid: 1000,
      gid: 1000,
      timeoutS: 30,
      when: { changed: ['files./etc/app.conf', 'config.limits.memory'] },
    },
    { name: 'check', command: ['true'], timeoutS: 300, when: 'always' },
  ]);
  assert.equal(d.waitFor, [
    { kind: 'file', path: '/run/ready', timeoutS: 120 },
    { kind: 'command', command: ['test', '-e', '/tmp/x'], timeoutS: 10 },
    { kind: 'delay', seconds: 90 },
    { kind: 'ipv4', nic: 'eth0', timeoutS: 120 },
  ]);
});

test('bad values are errors at their place: a duration, a watched file not declared, a field that is none, agent on a container, a relative path', async () => {
  const dir = await tree({
    'lxplan.yaml': `instances:
  app:
    image: busybox
    wait_for:
      - agent: true
      - file: run/ready
      - file: /a
        delay: 1s
    execs:
      a:
        command: [x]
        timeout: soon
      b:
        command: [x]
        when: {changed: [/etc/nope, colour]}
      c:
        command: [x]
        cwd: tmp
`,
  });
  const e = await loadError(dir);
  const file = path.join(dir, 'lxplan.yaml');
  assert.equal(
    summary(e).map((s) => s.replace(file, 'lxplan.yaml')),
    [
      'manifest.value lxplan.yaml:5:9: wait_for agent of instance "app" applies to virtual machines only: a container has no agent (LXD runs its commands directly)',
      'manifest.value lxplan.yaml:6:15: wait_for file "run/ready" of instance "app" must be an absolute path inside the instance',
      'manifest.value lxplan.yaml:7:9: each wait_for item of instance "app" is one condition: ipv4, ipv6, agent, delay, file, command (it has delay and file)',
      'manifest.value lxplan.yaml:12:18: invalid timeout of exec a "soon" of instance "app": write a duration such as 30s, 5m or 1h30m',
      'manifest.value lxplan.yaml:15:26: exec of instance "app" watches file /etc/nope, which its files: do not declare',
      'manifest.value lxplan.yaml:15:37: exec of instance "app" watches "colour", which is not a field of an instance',
      'manifest.value lxplan.yaml:18:14: cwd "tmp" of exec c of instance "app" must be an absolute path inside the instance',
    ],
  );
});

test('a stopped instance runs no command: execs and wait_for on it are an error', async () => {
  const dir = await tree({
    'lxplan.yaml': `instances:
  app:
    image: busybox
    state: stopped
    execs:
      a: {command: [x]}
`,
  });
  const e = await loadError(dir);
  assert.match(summary(e).join('\n'), 'lxplan.yaml:5:5: execs: of instance "app" need the instance running, and it is declared stopped');
});

test('the schema refuses an exec without command, an unknown key, and a when: that is none of the three', async () => {
  const dir = await tree({
    'lxplan.yaml': `instances:
  app:
    image: busybox
    execs:
      a: {commnd: [x]}
      b: {command: [x], when: sometimes}
`,
  });
  const text = summary(await loadError(dir)).join('\n');
  assert.match(text, 'commnd');
  assert.match(text, 'when');
});

test('durations: units, combinations, bare seconds; nonsense is null', () => {
  assert.is(parseDuration('5m'), 300);
  assert.is(parseDuration('1h30m'), 5400);
  assert.is(parseDuration('500ms'), 0.5);
  assert.is(parseDuration('2'), 2);
  assert.is(parseDuration('soon'), null);
  assert.is(parseDuration('5 m'), null);
});

test.run();
