#!/usr/bin/env bash
# `npm run up` / `npm run destroy`: the Pulumi CLI on a local state store, so no Pulumi account is
# needed. A user already logged in elsewhere (PULUMI_BACKEND_URL or `pulumi login`) keeps that.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v pulumi >/dev/null; then
  pulumi=(pulumi)
else
  # The npm package `pulumi` fetches the matching CLI on first use.
  pulumi=(npx --yes pulumi@3)
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! "${pulumi[@]}" whoami >/dev/null 2>&1; then
  mkdir -p .pulumi-state
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
fi
# A local state store encrypts secrets with this passphrase; empty is allowed but must be set.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

stack="${PULUMI_STACK:-dev}"
"${pulumi[@]}" stack select --create "$stack" >/dev/null
exec "${pulumi[@]}" "$@" --stack "$stack"
