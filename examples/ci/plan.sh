#!/usr/bin/env bash
# The plan job: plan the manifests against the daemon the CI secrets name, with the state kept on
# that daemon (LXPLAN_STATE=lxd:NAME), and save the plan for the apply job.
#
#   ci/plan.sh [MANIFESTS [OUT]]      (default: infra, and the current directory)
#
# Needs (CI secrets and variables, nothing on disk): LXPLAN_REMOTE_URL, LXPLAN_SERVER_FINGERPRINT,
# LXPLAN_CLIENT_CERT, LXPLAN_CLIENT_KEY, LXPLAN_STATE; LXPLAN_PROJECT if not `default`.
# Writes OUT/plan.json (the saved plan: the artifact the apply job applies), OUT/plan.md (the
# plan as markdown: the pull-request comment) and OUT/plan.exitcode. Exits 0 when there is
# nothing to change, 2 when there are changes (both a success), 1 on an error (a bad manifest,
# the daemon unreachable or not trusting us, the state locked by another run: see plan.md).
set -uo pipefail
dir="${1:-infra}"
out="${2:-.}"
mkdir -p "$out"
for v in LXPLAN_REMOTE_URL LXPLAN_SERVER_FINGERPRINT LXPLAN_CLIENT_CERT LXPLAN_CLIENT_KEY LXPLAN_STATE; do
  if [ -z "${!v:-}" ]; then
    echo "plan.sh: $v is not set (a CI secret or variable: docs/ci.md)" >&2
    exit 1
  fi
done
# stdout is the markdown plan; on an error it is the error, and stderr says it too.
lxplan "$dir" --detailed-exitcode --format markdown -o "$out/plan.json" > "$out/plan.md"
code=$?
echo "$code" > "$out/plan.exitcode"
case "$code" in
  0) echo "plan.sh: no changes" >&2 ;;
  2) echo "plan.sh: changes planned, saved in $out/plan.json" >&2 ;;
  *) { echo; echo "**lxplan failed (exit $code): see the job log.**"; } >> "$out/plan.md" ;;
esac
exit "$code"
