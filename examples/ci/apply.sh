#!/usr/bin/env bash
# The apply job: apply exactly the plan the plan job saved (its artifact), on another machine.
#
#   ci/apply.sh [PLAN [LXAPPLY FLAGS...]]     (default: plan.json)
#
# Needs the same secrets as plan.sh; the saved plan names the state (LXPLAN_STATE as the plan
# job had it), the project and the manifests' directory (for secrets read from the manifests).
# lxapply refuses, exit 1, and changes nothing when the plan is stale (the state moved on since
# it was made: another apply ran; make a new plan) or the state is locked by another run; an
# object changed by hand since the plan fails on its own and the others apply.
set -uo pipefail
plan="${1:-plan.json}"
for v in LXPLAN_REMOTE_URL LXPLAN_SERVER_FINGERPRINT LXPLAN_CLIENT_CERT LXPLAN_CLIENT_KEY; do
  if [ -z "${!v:-}" ]; then
    echo "apply.sh: $v is not set (a CI secret or variable: docs/ci.md)" >&2
    exit 1
  fi
done
if [ ! -f "$plan" ]; then
  echo "apply.sh: no saved plan at $plan (the plan job's artifact)" >&2
  exit 1
fi
# A saved plan is its own approval: no --auto-approve. Destroying or replacing an instance is
# still never implicit: pass --allow-delete / --allow-replace (after PLAN) only in a run meant to.
exec lxapply "$plan" "${@:2}"
