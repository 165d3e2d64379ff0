// The host's kubectl and calicoctl follow the stack's kubernetesVersion and calicoVersion: cloud-init
// installs them at first boot, and the match-host-tools step replaces them when either changes.
import { renderStep } from "../core/steps";

export interface StackToolVersions {
  /** kubectl's version: the cluster's own. */
  kubernetesVersion: string;
  /** calicoctl's version, and the release whose images are pre-pulled. */
  calicoVersion: string;
}

/** The parameters both steps that install the two tools expect. */
export function stackToolParams(versions: StackToolVersions): Record<string, string> {
  return { KUBECTL_VERSION: versions.kubernetesVersion, CALICOCTL_VERSION: versions.calicoVersion };
}

export function renderMatchHostTools(versions: StackToolVersions): string {
  return renderStep("match-host-tools", stackToolParams(versions));
}
