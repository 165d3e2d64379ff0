// The lab host on AWS: its own VPC, a security group open only to the user, and one EC2 instance
// that cloud-init turns into a containerlab/kind machine. Ready when cloud-init has finished.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as tls from "@pulumi/tls";
import type * as command from "@pulumi/command";
import * as ipaddr from "ipaddr.js";
import { renderStep, parseTimings } from "../lib/core/steps";
import { UBUNTU_AMI } from "../lib/core/versions";
import { API_SERVER_PORT } from "../lib/core/types";
import { packUserData, type SshHostKey } from "../lib/host/cloud-init";
import { renderMatchHostTools, type StackToolVersions } from "../lib/host/host-tools";
import { ROOT_VOLUME_THROUGHPUT_MIBPS } from "../lib/host/aws-cost";
import { sshTransport, StepTransport } from "./transport";

export interface LabHostArgs {
  labName: string;
  instanceType: string;
  rootVolumeGb: number;
  vpcCidr: string;
  /** Who may reach SSH and the Kubernetes API. */
  allowedCidrs: string[];
  /** The user's own key; its private half must be loaded in ssh-agent. Undefined: generate one. */
  sshPublicKey?: string;
  /** cloud-init user data, given the host key the host must present (it is pinned in every SSH step). */
  userData: (sshHostKey: SshHostKey) => string;
  /** The versions kubectl and calicoctl on the host must have (cloud-init installs them only once). */
  toolVersions: StackToolVersions;
  tags: Record<string, string>;
}

export const SSH_USER = "ubuntu";

/**
 * How often the first SSH step dials before it gives up (pulumi-command's dialErrorLimit). v1.2.1
 * retries every dial error, a host-key mismatch included (provider/pkg/provider/remote/connection.go,
 * dialWithRetry), pausing as pulumi's retry.Until does: 0.1 s, 1.5 times longer each time, at most 5 s
 * (sdk/go/common/util/retry/until.go, sdk v3.224.0). 150 quick failures (refused while sshd starts, or
 * the wrong host key) take about 12 minutes; dials that time out (15 s each) meet FIRST_CONTACT_TIMEOUT.
 */
export const FIRST_CONTACT_DIAL_LIMIT = 150;
/**
 * Bounds the first step's dialling in a create and in an update alike: a changed connection runs
 * Update (remote/commandController.go), which customTimeouts.create does not bound. pulumi-go-provider
 * turns each operation's timeout into its context's deadline (middleware/cancel/cancel.go, Wrap).
 */
export const FIRST_CONTACT_TIMEOUT = "20m";
export const SSH_PORT = 22;

/** The first /24 of the VPC holds the public subnet. */
export function publicSubnetCidr(vpcCidr: string): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(vpcCidr).toString()}/24`;
}

/** A resource name part for a CIDR: "203.0.113.7/32" -> "203-0-113-7-32". */
function cidrSlug(cidr: string): string {
  return cidr.replace(/[^0-9a-fA-F]+/g, "-").replace(/^-|-$/g, "");
}

export class LabHost extends pulumi.ComponentResource {
  readonly publicIp: pulumi.Output<string>;
  readonly publicDns: pulumi.Output<string>;
  /** The generated private key (secret), when the user gave no sshPublicKey. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  /** The host's own SSH key (public half), generated here and installed by cloud-init. */
  readonly sshHostKey: pulumi.Output<string>;
  /** Runs step scripts on the host, once cloud-init has finished and SSH is open to the caller. */
  readonly transport: StepTransport;
  readonly ready: pulumi.Resource;
  /** First-boot stages measured on the host (seconds since boot). */
  readonly timings: pulumi.Output<Record<string, number>>;
  readonly instance: aws.ec2.Instance;
  /**
   * Changes when the instance is replaced or resized. kind does not promise a cluster survives a
   * restart (kind#3941), so a resize (a stop/start) rebuilds the cluster too.
   */
  readonly machineId: pulumi.Output<string>;
  /** The rules that admit allowedCidrs to SSH and to the Kubernetes API, one per CIDR and port. */
  readonly sshAccess: pulumi.CustomResource[];
  readonly apiAccess: pulumi.CustomResource[];

  constructor(name: string, args: LabHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:host:LabHost", name, {}, opts);
    const parent = { parent: this };
    const tagged = (resource: string) => ({ ...args.tags, Name: `${args.labName}-${resource}` });

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
      cidrBlock: args.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tagged("vpc"),
    }, parent);
    // AWS FSBP EC2.2: the VPC's default security group keeps no rules (adopting it strips them).
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tagged("default-sg") }, parent);
    // Not every zone offers every instance type: pick one that offers the one asked for.
    const zone = aws.ec2.getInstanceTypeOfferingsOutput({
      locationType: "availability-zone",
      filters: [{ name: "instance-type", values: [args.instanceType] }],
    }, parent).apply((offers) => {
      const zones = [...offers.locations].sort();
      if (zones.length === 0) {
        throw new pulumi.RunError(`calico-ipam:instanceType "${args.instanceType}" is not offered in any availability zone of this region; choose another type or aws:region`);
      }
      return zones[0];
    });
    const subnet = new aws.ec2.Subnet(`${name}-public`, {
      vpcId: vpc.id, cidrBlock: publicSubnetCidr(args.vpcCidr), availabilityZone: zone,
      mapPublicIpOnLaunch: false, tags: tagged("public"),
    }, {
      ...parent,
      // The zone is looked up on every run; a change in AWS's offerings must not move a running lab.
      ignoreChanges: ["availabilityZone"],
    });
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagged("igw") }, parent);
    const routes = new aws.ec2.RouteTable(`${name}-public`, {
      vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags: tagged("public"),
    }, parent);
    const routeAssociation = new aws.ec2.RouteTableAssociation(`${name}-public`, { subnetId: subnet.id, routeTableId: routes.id }, parent);

    const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId: vpc.id,
      description: "calico-ipam lab host: SSH and the Kubernetes API from allowedCidrs only",
      tags: tagged("sg"),
    }, parent);
    // One rule per port and CIDR, each its own resource: a new caller address adds a rule and
    // deletes the old one, and leaves the group (and the instance in it) alone.
    const ingress = (port: number, what: string) =>
      args.allowedCidrs.map((cidr) => new aws.vpc.SecurityGroupIngressRule(`${name}-${what}-${cidrSlug(cidr)}`, {
        securityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        description: `${what === "ssh" ? "SSH" : "Kubernetes API"} from ${cidr}`,
        tags: tagged(`${what}-${cidrSlug(cidr)}`),
      }, parent));
    this.sshAccess = ingress(SSH_PORT, "ssh");
    this.apiAccess = ingress(API_SERVER_PORT, "api");
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress-ipv4`, {
      securityGroupId: securityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "all", tags: tagged("egress-ipv4"),
    }, parent);
    new aws.vpc.SecurityGroupEgressRule(`${name}-egress-ipv6`, {
      securityGroupId: securityGroup.id, ipProtocol: "-1", cidrIpv6: "::/0", description: "all", tags: tagged("egress-ipv6"),
    }, parent);

    const generatedKey = args.sshPublicKey === undefined
      ? new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, parent)
      : undefined;
    const keyPair = new aws.ec2.KeyPair(`${name}-key`, {
      publicKey: generatedKey ? generatedKey.publicKeyOpenssh : args.sshPublicKey!,
      tags: tagged("key"),
    }, parent);
    // The host presents this key from its first boot (cloud-init ssh_keys), and every SSH step
    // accepts no other: nothing on the path can pose as the host and hand back a kubeconfig.
    const hostKey = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, parent);

    const ami = aws.ec2.getAmiOutput({
      owners: [UBUNTU_AMI.owner],
      mostRecent: true,
      filters: [
        { name: "name", values: [UBUNTU_AMI.namePattern] },
        { name: "architecture", values: ["x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    }, parent);
    // Allocated before the instance so its address can go into the API server certificate, and
    // kept across stop/start (an instanceType change), so the kubeconfig stays valid.
    const eip = new aws.ec2.Eip(`${name}-eip`, { domain: "vpc", tags: tagged("eip") }, { ...parent, dependsOn: [gateway] });
    // The instance boots on a network interface that already has its Elastic IP and its route out,
    // so cloud-init's downloads never race the address or the route.
    const nic = new aws.ec2.NetworkInterface(`${name}-nic`, {
      subnetId: subnet.id, securityGroups: [securityGroup.id], tags: tagged("nic"),
    }, parent);
    const eipAssociation = new aws.ec2.EipAssociation(`${name}-eip`, { allocationId: eip.allocationId, networkInterfaceId: nic.id }, parent);
    const userData = pulumi
      .all([hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh])
      .apply(([privateKey, publicKey]) => args.userData({ privateKey, publicKey: publicKey.trim() }));
    const instance = new aws.ec2.Instance(`${name}-instance`, {
      ami: ami.id,
      instanceType: args.instanceType,
      primaryNetworkInterface: { networkInterfaceId: nic.id },
      keyName: keyPair.keyName,
      // It carries the host's private key. Gzipped: the plain text is over EC2's 16 KB.
      userDataBase64: pulumi.secret(userData.apply(packUserData)),
      // Pods must never reach the instance's credentials: tokens required, one hop only.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      // gp3's 125 MiB/s baseline, doubled for unpacking several GB of images at first boot (t3's EBS
      // burst reaches ~340 MB/s; more would be paid for and unused).
      rootBlockDevice: {
        volumeType: "gp3", volumeSize: args.rootVolumeGb, throughput: ROOT_VOLUME_THROUGHPUT_MIBPS, encrypted: true, deleteOnTermination: true,
      },
      tags: tagged("host"),
      volumeTags: tagged("root"),
    }, {
      ...parent,
      dependsOn: [eipAssociation, routeAssociation],
      // A newer Ubuntu image, or a new tool pin in user data, must not rebuild a running lab:
      // both only matter at first boot.
      ignoreChanges: ["ami", "userDataBase64"],
      // The network interface is the primary one of one instance at a time.
      deleteBeforeReplace: true,
    });

    this.publicIp = eip.publicIp;
    this.publicDns = eip.publicDns;
    this.sshPrivateKey = generatedKey ? pulumi.secret(generatedKey.privateKeyOpenssh) : undefined;
    this.sshHostKey = hostKey.publicKeyOpenssh.apply((key) => key.trim());

    // No agentSocketPath: it would store a path of the caller's shell in state (a diff on every step
    // from a new login); pulumi-command falls back to SSH_AUTH_SOCK itself (remote/connection.go, SSHConfig).
    const connection: command.types.input.remote.ConnectionArgs = {
      host: eip.publicIp,
      user: SSH_USER,
      hostKey: this.sshHostKey,
      ...(generatedKey ? { privateKey: this.sshPrivateKey } : {}),
    };
    // The first command keeps dialling while the instance boots and sshd starts, within bounds; every
    // other step depends on it, so none of them races sshd or cloud-init. Every step waits for the SSH
    // rules, so a new caller address is admitted before anything dials.
    const ssh = sshTransport(connection, this.sshAccess);
    const firstContact = sshTransport({ ...connection, dialErrorLimit: FIRST_CONTACT_DIAL_LIMIT }, this.sshAccess);
    const waitForHost = firstContact.command(`${name}-wait-for-host`, {
      create: renderStep("wait-for-host", {}),
      // Again after a resize: the host restarted, and what follows must wait for it.
      triggers: [instance.id, args.instanceType],
    }, {
      ...parent,
      dependsOn: [instance, eipAssociation],
      customTimeouts: { create: FIRST_CONTACT_TIMEOUT, update: FIRST_CONTACT_TIMEOUT },
    });

    // cloud-init installed kubectl and calicoctl for the versions of the first up (and a new instance
    // boots that same user data, ignoreChanges): after a version change they would no longer fit the
    // cluster. Beside the deploy, which needs neither; a no-op when they already fit.
    const { kubernetesVersion, calicoVersion } = args.toolVersions;
    ssh.command(`${name}-tools`, {
      create: renderMatchHostTools(args.toolVersions),
      triggers: [instance.id, kubernetesVersion, calicoVersion],
    }, { ...parent, dependsOn: [waitForHost.resource] });

    this.transport = ssh;
    this.machineId = pulumi.interpolate`${instance.id} ${args.instanceType}`;
    this.instance = instance;
    this.ready = waitForHost.resource;
    this.timings = waitForHost.stdout.apply(parseTimings);
    this.registerOutputs({ publicIp: this.publicIp, publicDns: this.publicDns, timings: this.timings });
  }
}
