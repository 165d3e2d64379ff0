# calico-ipam step: prepull-images
# Started by install-tools, as root, in its own systemd unit as soon as Docker answers: it runs beside
# the rest of the install and the cluster's creation. It only saves time, so nothing here fails the
# lab: whatever it could not fetch, kind and containerd pull from the internet as they would anyway.
# - the kind node image, by digest, into Docker;
# - a pull-through registry for quay.io (kept across cluster replacements: `--restart=always` and a
#   volume), warmed with the operator and the Calico images of the pinned release, which the kind
#   nodes then pull from it (the deploy step points their containerd at it).
# Expects NODE_IMAGE, CALICO_VERSION, MIRROR_IMAGE, MIRROR_NAME, MIRROR_PORT, MIRROR_UPSTREAM.
set +e
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

skip() {
  echo "calico-ipam: $STEP: $*; the cluster will pull it from the internet instead" >&2
}

pull_node_image() {
  if bounded 1200 "docker pull $NODE_IMAGE" docker pull -q "$NODE_IMAGE" >/dev/null; then
    record_stage nodeImagePresentSeconds
  else
    skip "could not pull $NODE_IMAGE"
  fi
}

mirror_answers() {
  curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$MIRROR_PORT/v2/"
}

start_mirror() {
  if ! docker container inspect "$MIRROR_NAME" >/dev/null 2>&1; then
    bounded 600 "starting the $MIRROR_UPSTREAM mirror" docker run -d --restart=always --name "$MIRROR_NAME" \
      -p "127.0.0.1:$MIRROR_PORT:5000" -v "$MIRROR_NAME:/var/lib/registry" \
      -e "REGISTRY_PROXY_REMOTEURL=https://$MIRROR_UPSTREAM" "$MIRROR_IMAGE" >/dev/null || return 1
  fi
  wait_until 60 "the $MIRROR_UPSTREAM mirror to answer" mirror_answers
}

ACCEPT="application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"
ACCEPT="$ACCEPT, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"

# mirror_get PATH OUT: one registry API read through the mirror, which keeps what it serves.
mirror_get() {
  bounded 900 "reading $1 through the mirror" \
    curl -fsSL --retry 3 --retry-all-errors -H "Accept: $ACCEPT" -o "$2" "http://127.0.0.1:$MIRROR_PORT/v2/$1"
}

# warm IMAGE: reads IMAGE's linux/amd64 manifest and every blob through the mirror, which caches them.
warm() {
  local path=${1#"$MIRROR_UPSTREAM"/}
  local repo=${path%:*} ref=${path##*:}
  local manifest="$work/${repo//\//_}.json" digest blob
  local blobs=()
  mirror_get "$repo/manifests/$ref" "$manifest" || return 1
  # A multi-platform index names one manifest per platform: this host's is linux/amd64.
  digest=$(jq -r 'first(.manifests[]? | select(.platform.os == "linux" and .platform.architecture == "amd64") | .digest) // empty' "$manifest") || return 1
  if [ -n "$digest" ]; then
    mirror_get "$repo/manifests/$digest" "$manifest" || return 1
  fi
  mapfile -t blobs < <(jq -r '.config.digest, .layers[].digest' "$manifest")
  if [ "${#blobs[@]}" -eq 0 ]; then
    return 1
  fi
  for blob in "${blobs[@]}"; do
    mirror_get "$repo/blobs/$blob" /dev/null || return 1
  done
}

# The images this lab's Installation and APIServer run, as the pinned release's operator lists them
# (`--print-images=listcalico`, tigera/operator cmd/main.go), less the variants and features the lab
# never turns on: FIPS and Windows builds, Whisker, Goldmane, Envoy, Guardian, the CSR init container.
calico_images() {
  local manifest="$work/tigera-operator.yaml" operator tag listing
  bounded 300 "the download of tigera-operator.yaml" curl -fsSL --retry 3 --retry-all-errors -o "$manifest" \
    "https://raw.githubusercontent.com/projectcalico/calico/$CALICO_VERSION/manifests/tigera-operator.yaml" || return 1
  operator=$(grep -m 1 -oE "$MIRROR_UPSTREAM/tigera/operator:[A-Za-z0-9._-]+" "$manifest") || return 1
  echo "$operator"
  tag=${operator##*:}
  listing=$(bounded 600 "the operator's image list" \
    docker run --rm "127.0.0.1:$MIRROR_PORT/tigera/operator:$tag" --print-images=listcalico) || return 1
  docker image rm -f "127.0.0.1:$MIRROR_PORT/tigera/operator:$tag" >/dev/null 2>&1
  grep -E "^$MIRROR_UPSTREAM/calico/" <<< "$listing" |
    grep -vE -- '-fips$|-windows:|/(whisker|whisker-backend|goldmane|envoy-[a-z]+|guardian|key-cert-provisioner):'
}

warm_calico_images() {
  local images=() image pid failed=0
  local pids=()
  start_mirror || { skip "the $MIRROR_UPSTREAM mirror did not start"; return; }
  mapfile -t images < <(calico_images)
  if [ "${#images[@]}" -lt 2 ]; then
    skip "the Calico $CALICO_VERSION image list could not be read"
    return
  fi
  for image in "${images[@]}"; do
    warm "$image" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=$((failed + 1))
  done
  if [ "$failed" -eq 0 ]; then
    record_stage calicoImagesCachedSeconds
    echo "calico-ipam: $STEP: ${#images[@]} images from $MIRROR_UPSTREAM cached: ${images[*]}"
  else
    skip "$failed of ${#images[@]} images could not be cached"
  fi
}

pull_node_image &
node_image=$!
warm_calico_images
wait "$node_image"
exit 0
