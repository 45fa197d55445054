#!/usr/bin/env bash
# The reliability proof suites at full size, figures into docs/reliability.md:
#   CHAOS_KILLS (default 500) kill -9 of lxapply at random points, each followed by a run that
#   must converge with no orphan and no lost instance, and CONCURRENCY_ROUNDS (default 100)
#   rounds of two lxapply at once on one state.
# Usage: npm run chaos        (CHAOS_KILLS=50 CONCURRENCY_ROUNDS=20 npm run chaos for a short run)
set -euo pipefail
cd "$(dirname "$0")/.."
export CHAOS_KILLS="${CHAOS_KILLS:-500}" CONCURRENCY_ROUNDS="${CONCURRENCY_ROUNDS:-100}"
npm run build --silent
bash scripts/lxd-up.sh
log=$(mktemp)
start=$(date +%s)
NO_COLOR=1 node test/run.mjs integration '(chaos|concurrency|interrupt)\.test\.js$' | tee "$log"
secs=$(( $(date +%s) - start ))
summary=$(tail -n 1 "$log")
chaosline=$(grep -o 'chaos: [0-9]* killed mid-apply.*' "$log" | head -1 || true)
node - "$summary" "$chaosline" "$secs" <<'JS'
const fs = require('node:fs');
const os = require('node:os');
const { execSync } = require('node:child_process');
const [summary, chaosLine, secs] = process.argv.slice(2);
const lxd = (() => { try { return execSync('lxd --version').toString().trim(); } catch { return '?'; } })();
const block = [
  '<!-- chaos:start -->',
  `Run on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, LXD ${lxd}, Node ${process.version}.`,
  `Command: \`CHAOS_KILLS=${process.env.CHAOS_KILLS} CONCURRENCY_ROUNDS=${process.env.CONCURRENCY_ROUNDS} npm run chaos\` (${secs} s).`,
  '',
  `- kill -9 at random points: ${process.env.CHAOS_KILLS} runs; ${chaosLine || '(see the log)'}`,
  `- two lxapply at once on one state: ${process.env.CONCURRENCY_ROUNDS} rounds`,
  `- result: ${summary}`,
  '<!-- chaos:end -->',
].join('\n');
const file = 'docs/reliability.md';
const text = fs.readFileSync(file, 'utf8');
fs.writeFileSync(file, text.replace(/<!-- chaos:start -->[\s\S]*<!-- chaos:end -->/, block));
console.log(`\nwrote the figures into ${file}`);
JS
case "$summary" in *" 0 failed"*) ;; *) exit 1 ;; esac
