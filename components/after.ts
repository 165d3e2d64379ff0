// Holding a cluster object back until the cluster is ready for it, with every input of it literal.
import * as pulumi from "@pulumi/pulumi";

/**
 * `dependsOn` for an object that must wait until `ready` resolves (Calico Available, the IPAM probe
 * Ready). The SDK awaits an Output in dependsOn before it registers the resource (sdk/nodejs
 * runtime/resource.ts prepareResource, then dependsOn.ts gatherExplicitDependencies), so the object
 * reaches the cluster only then, and its name stays a literal. A name computed from `ready` instead
 * would be unknown in a preview where `ready` is (the first preview on target existing): the
 * kubernetes provider's Check refuses a Patch without a name ("patch resources require the
 * `.metadata.name` field to be set", provider.go Check, where an unknown reaches it as
 * resource.Computed). Where `ready` is unknown, the resources behind it and `also` stay dependencies.
 */
export function after(ready: pulumi.Output<unknown>, also: pulumi.Resource[] = []): pulumi.Output<pulumi.Resource[]> {
  return pulumi.all([ready, ...also.map((r) => r.urn)]).apply(() => also);
}
