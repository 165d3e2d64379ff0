#!/usr/bin/env bash
# `npm run up`, `npm run destroy`, `npm run pulumi -- <args>`: the Pulumi CLI on a local state store,
# so no Pulumi account is needed. A user logged in elsewhere (PULUMI_BACKEND_URL, `pulumi login`)
# keeps that, and their own passphrase settings always win. The stack is PULUMI_STACK, default dev.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

# The CLI npx runs when none is installed; Pulumi.yaml's requiredPulumiVersion must accept it.
PULUMI_CLI_VERSION=3.265.0

if command -v pulumi >/dev/null; then
  pulumi=(pulumi)
elif command -v npx >/dev/null; then
  echo "calico-ipam: no pulumi CLI on PATH: running the npm package pulumi@$PULUMI_CLI_VERSION (Pulumi's launcher), which" \
    "installs Pulumi CLI $PULUMI_CLI_VERSION under ~/.pulumi/versions with Pulumi's install script on first use." \
    "Install the CLI yourself to skip this: https://www.pulumi.com/docs/install/" >&2
  pulumi=(npx --yes "pulumi@$PULUMI_CLI_VERSION")
else
  echo "calico-ipam: no pulumi CLI on PATH and no npx to fetch one: install the Pulumi CLI (https://www.pulumi.com/docs/install/)" >&2
  exit 127
fi

# pulumi-command dials SSH_AUTH_SOCK whenever it is set, even with the generated key: a socket left
# from an earlier login would fail every SSH step.
if [ -n "${SSH_AUTH_SOCK:-}" ] && [ ! -S "$SSH_AUTH_SOCK" ]; then
  echo "calico-ipam: SSH_AUTH_SOCK ($SSH_AUTH_SOCK) is not a socket (left from an earlier login?): unset for this run" >&2
  unset SSH_AUTH_SOCK
fi

# The local state store holds the SSH key and the kubeconfigs, encrypted with the stack's passphrase:
# a random one, kept outside the repository, unless the user chose their own.
local_passphrase() {
  if [ -n "${PULUMI_CONFIG_PASSPHRASE+set}" ] || [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    return
  fi
  local file="${XDG_CONFIG_HOME:-$HOME/.config}/calico-ipam/passphrase"
  if [ -s "$file" ]; then
    export PULUMI_CONFIG_PASSPHRASE_FILE="$file"
  elif [ -n "$(find .pulumi-state -path '*/stacks/*' -name '*.json*' -print -quit)" ]; then
    # Stacks made before this passphrase existed are encrypted with the empty one.
    export PULUMI_CONFIG_PASSPHRASE=""
    echo "calico-ipam: this state store's stacks are encrypted with an empty passphrase; README \"Security\" says how" \
      "to move them to a generated one" >&2
  else
    (umask 077 && mkdir -p "${file%/*}" && head -c 32 /dev/urandom | base64 > "$file")
    export PULUMI_CONFIG_PASSPHRASE_FILE="$file"
  fi
}

if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! "${pulumi[@]}" whoami >/dev/null 2>&1; then
  (umask 077 && mkdir -p .pulumi-state)
  chmod 700 .pulumi-state
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
  local_passphrase
fi

stack="${PULUMI_STACK:-dev}"
# `up`, `config set` and the like create the stack on first use; a lookup (`stack output`,
# `config get`, as `npm run ipam` makes them) must not leave an empty one behind, and a destroy must
# find the lab's own stack: an empty one made here (the lab made from another folder, under another
# PULUMI_STACK, or before a `pulumi login`/`logout`) would be "destroyed" with the host still running.
# Without it, pulumi destroy fails: "no stack named '<stack>' found".
# A stack created here gets a stackId: what it marks its objects with on a cluster shared with other
# labs, which are all `calico-ipam/dev` too (README "Targets", existing). A stack that already exists
# keeps what it has: a new id would make its own objects look like another lab's.
case "${1:-} ${2:-}" in
  "stack "* | "config get" | "destroy "*) ;;
  *)
    # Only a missing stack is created (pulumi backenderr.go: "no stack named '<stack>' found"); any
    # other failure to select it (login, network, a bad name) is shown as Pulumi said it.
    if ! selecting=$("${pulumi[@]}" stack select "$stack" 2>&1 >/dev/null); then
      case "$selecting" in
        *"no stack named"*)
          "${pulumi[@]}" stack init "$stack" >/dev/null
          "${pulumi[@]}" config set calico-ipam:stackId "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" --stack "$stack"
          ;;
        *) printf '%s\n' "$selecting" >&2; exit 1 ;;
      esac
    fi
    ;;
esac
if [ "${1:-}" = up ]; then
  # pulumi up would end with every output, about 150 lines: they stay for `npm run -s pulumi -- stack
  # output`, and the run ends with the one-line `summary` output instead. A failed or declined up
  # (pulumi exits non-zero) stops here, so an old summary is never shown as this run's.
  "${pulumi[@]}" "$@" --suppress-outputs --stack "$stack"
  summary=$("${pulumi[@]}" stack output summary --stack "$stack" 2>/dev/null) || summary=""
  if [ -n "$summary" ]; then printf '\n%s\n' "$summary"; fi
  exit 0
fi
exec "${pulumi[@]}" "$@" --stack "$stack"
