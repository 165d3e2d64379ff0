#!/usr/bin/env bash
# `npm run up`, `npm run destroy`, `npm run pulumi -- <args>`: the Pulumi CLI on a local state store,
# so no Pulumi account is needed. A user logged in elsewhere (PULUMI_BACKEND_URL, `pulumi login`)
# keeps that. The stack is PULUMI_STACK, default dev.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

if command -v pulumi >/dev/null; then
  pulumi=(pulumi)
elif command -v npx >/dev/null; then
  # The npm package `pulumi` fetches the matching CLI on first use.
  pulumi=(npx --yes pulumi@3)
else
  echo "calico-ipam: no pulumi CLI on PATH and no npx to fetch one: install the Pulumi CLI (https://www.pulumi.com/docs/install/)" >&2
  exit 127
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! "${pulumi[@]}" whoami >/dev/null 2>&1; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
fi
# A local state store encrypts secrets with this passphrase; empty is allowed but must be set.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

stack="${PULUMI_STACK:-dev}"
# `up`, `config set` and the like create the stack on first use; a lookup (`stack output`) must
# not leave an empty one behind.
if [ "${1:-}" != stack ]; then
  "${pulumi[@]}" stack select --create "$stack" >/dev/null
fi
exec "${pulumi[@]}" "$@" --stack "$stack"
