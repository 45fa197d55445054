/**
 * Remotes and the client certificate from the incus CLI's config directory
 * (~/.config/incus/config.yml, client.crt, client.key, servercerts/NAME.crt, or $INCUS_CONF),
 * read as lxc's is (src/lxd/cli-config.ts, connect.ts): `--remote NAME` for a remote that only
 * `incus remote add` knows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configDirs, findCliRemote, knownRemoteNames } from '../../src/lxd/cli-config.js';
import { resolveRemote } from '../../src/lxd/connect.js';

/** An incus config directory as `incus remote add` leaves it (the format of Incus 6.0's CLI). */
function incusDir(dir: string): void {
  mkdirSync(path.join(dir, 'servercerts'), { recursive: true });
  writeFileSync(
    path.join(dir, 'config.yml'),
    'default-remote: local\nremotes:\n  images:\n    addr: https://images.linuxcontainers.org\n    protocol: simplestreams\n    public: true\n  local:\n    addr: unix://\n    public: false\n  lab:\n    addr: https://10.0.0.20:8443\n    auth_type: tls\n    project: staging\n    protocol: incus\n    public: false\naliases: {}\n',
  );
  writeFileSync(path.join(dir, 'servercerts', 'lab.crt'), 'INCUS-PIN');
  writeFileSync(path.join(dir, 'client.crt'), 'INCUS-CRT');
  writeFileSync(path.join(dir, 'client.key'), 'INCUS-KEY');
}

test("a remote only the incus CLI knows (~/.config/incus) is used with incus's client certificate and pinned server certificate", async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'lxplan-incus-home-'));
  try {
    incusDir(path.join(home, '.config', 'incus'));
    const dirs = configDirs({}, home);
    const lab = findCliRemote('lab', dirs)!;
    assert.equal(
      { url: lab.url, project: lab.project, tool: lab.from.tool, pin: lab.serverCertificate, crt: lab.clientCertificate, key: lab.clientKey },
      { url: 'https://10.0.0.20:8443', project: 'staging', tool: 'incus', pin: 'INCUS-PIN', crt: 'INCUS-CRT', key: 'INCUS-KEY' },
    );
    assert.equal(knownRemoteNames(dirs), ['lab'], 'the image server and the unix socket are not remotes to manage');
    const r = await resolveRemote({ remote: 'lab' }, {}, dirs);
    assert.equal(r, { name: 'lab', url: 'https://10.0.0.20:8443', pin: { certificate: 'INCUS-PIN' }, clientCertificate: 'INCUS-CRT', clientKey: 'INCUS-KEY' });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('INCUS_CONF moves the incus directory', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lxplan-incus-conf-'));
  try {
    incusDir(path.join(root, 'conf'));
    const dirs = configDirs({ INCUS_CONF: path.join(root, 'conf') }, path.join(root, 'home'));
    const r = await resolveRemote({ remote: 'lab' }, {}, dirs);
    assert.is(r?.clientCertificate, 'INCUS-CRT');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
