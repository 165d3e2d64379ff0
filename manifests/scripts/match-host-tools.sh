# calico-ipam step: match-host-tools
# Makes the host's kubectl and calicoctl the stack's kubernetesVersion and calicoVersion. cloud-init
# installs them at first boot only, but kubectl works within one minor version of its cluster and
# calicoctl refuses a cluster of another Calico version. A tool that already is the file its publisher
# ships for the version (the sha256 listed for it) is left alone; any other is downloaded, verified
# and installed as root (downloads.sh, prepended). Expects KUBECTL_VERSION and CALICOCTL_VERSION.
declare -A version_of=([kubectl]="$KUBECTL_VERSION" [calicoctl]="$CALICOCTL_VERSION")
outdated=()
for tool in kubectl calicoctl; do
  release_of "$tool" "${version_of[$tool]}"
  installed="$ROOT/usr/local/bin/$tool"
  fetch "$sums_url" "$tmp/$tool.installed.sums"
  # A mismatch here only means another version: no message.
  if [ -f "$installed" ] && verify "$installed" "$tmp/$tool.installed.sums" "${url##*/}" 2> /dev/null; then
    echo "calico-ipam: $STEP: $tool is already ${version_of[$tool]}"
  else
    download "$tool" "$url" "$sums_url"
    outdated+=("$tool")
  fi
done
wait_for_downloads
for tool in ${outdated[@]+"${outdated[@]}"}; do
  as_root install -m 0755 "$tmp/$tool" "$ROOT/usr/local/bin/$tool"
  echo "calico-ipam: $STEP: installed $tool ${version_of[$tool]}"
done
