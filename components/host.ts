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
import { sshTransport, StepTransport } from "./transport";

export interface LabHostArgs {
  labName: string;
  instanceType: string;
  rootVolumeGb: number;
  vpcCidr: string;
  /** Who may reach SSH and the Kubernetes API. */
  allowedCidrs: pulumi.Input<string[]>;
  /** The user's own key; its private half must be loaded in ssh-agent. Undefined: generate one. */
  sshPublicKey?: string;
  /** ssh-agent socket that holds the private half of sshPublicKey. */
  sshAgentSocket?: string;
  userData: string;
  tags: Record<string, string>;
}

export const SSH_USER = "ubuntu";
export const ROOT_VOLUME_THROUGHPUT_MIBPS = 250;

/** The first /24 of the VPC holds the public subnet. */
export function publicSubnetCidr(vpcCidr: string): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(vpcCidr).toString()}/24`;
}

export class LabHost extends pulumi.ComponentResource {
  readonly publicIp: pulumi.Output<string>;
  readonly publicDns: pulumi.Output<string>;
  /** The generated private key (secret), when the user gave no sshPublicKey. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  /** Runs step scripts on the host, once cloud-init has finished. */
  readonly transport: StepTransport;
  readonly ready: pulumi.Resource;
  /** First-boot stages measured on the host (seconds since boot). */
  readonly timings: pulumi.Output<Record<string, number>>;
  /**
   * Changes when the instance is replaced or resized. kind does not promise a cluster survives a
   * restart (kind#3941), so a resize (a stop/start) rebuilds the cluster too.
   */
  readonly machineId: pulumi.Output<string>;

  constructor(name: string, args: LabHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("calico-ipam:host:LabHost", name, {}, opts);
    const parent = { parent: this };
    const tagged = (resource: string) => ({ ...args.tags, Name: `${args.labName}-${resource}` });

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
      cidrBlock: args.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tagged("vpc"),
    }, parent);
    // Not every zone offers every instance type: pick one that offers the one asked for.
    const zone = aws.ec2.getInstanceTypeOfferingsOutput({
      locationType: "availability-zone",
      filters: [{ name: "instance-type", values: [args.instanceType] }],
    }, parent).apply((offers) => {
      const zones = [...offers.locations].sort();
      if (zones.length === 0) {
        throw new Error(`calico-ipam:instanceType "${args.instanceType}" is not offered in any availability zone of this region; choose another type or aws:region`);
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
    new aws.ec2.RouteTableAssociation(`${name}-public`, { subnetId: subnet.id, routeTableId: routes.id }, parent);

    const ingress = (port: number, description: string) => ({
      protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: args.allowedCidrs, description,
    });
    const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId: vpc.id,
      description: "calico-ipam lab host: SSH and the Kubernetes API from allowedCidrs only",
      ingress: [ingress(22, "SSH"), ingress(API_SERVER_PORT, "Kubernetes API")],
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "all" }],
      tags: tagged("sg"),
    }, parent);

    const generatedKey = args.sshPublicKey === undefined
      ? new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, parent)
      : undefined;
    const keyPair = new aws.ec2.KeyPair(`${name}-key`, {
      publicKey: generatedKey ? generatedKey.publicKeyOpenssh : args.sshPublicKey!,
      tags: tagged("key"),
    }, parent);

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
    const instance = new aws.ec2.Instance(`${name}-instance`, {
      ami: ami.id,
      instanceType: args.instanceType,
      subnetId: subnet.id,
      vpcSecurityGroupIds: [securityGroup.id],
      keyName: keyPair.keyName,
      userData: args.userData,
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
      // A newer Ubuntu image, or a new tool pin in user data, must not rebuild a running lab:
      // both only matter at first boot. Replace the host on purpose to pick them up.
      ignoreChanges: ["ami", "userData"],
    });
    const eipAssociation = new aws.ec2.EipAssociation(`${name}-eip`, { allocationId: eip.allocationId, instanceId: instance.id }, parent);

    this.publicIp = eip.publicIp;
    this.publicDns = eip.publicDns;
    this.sshPrivateKey = generatedKey ? pulumi.secret(generatedKey.privateKeyOpenssh) : undefined;

    const connection: command.types.input.remote.ConnectionArgs = {
      host: eip.publicIp,
      user: SSH_USER,
      ...(generatedKey
        ? { privateKey: this.sshPrivateKey }
        : { agentSocketPath: args.sshAgentSocket }),
    };
    // The first command keeps dialling while the instance boots and sshd starts; every other
    // step depends on it, so none of them races sshd or cloud-init.
    const ssh = sshTransport(connection);
    const firstContact = sshTransport({ ...connection, dialErrorLimit: -1 });
    const waitForHost = firstContact.command(`${name}-wait-for-host`, {
      create: renderStep("wait-for-host", {}),
      // Again after a resize: the host restarted, and what follows must wait for it.
      triggers: [instance.id, args.instanceType],
    }, { ...parent, dependsOn: [instance, eipAssociation], customTimeouts: { create: "20m" } });

    this.transport = ssh;
    this.machineId = pulumi.interpolate`${instance.id} ${args.instanceType}`;
    this.ready = waitForHost.resource;
    this.timings = waitForHost.stdout.apply(parseTimings);
    this.registerOutputs({ publicIp: this.publicIp, publicDns: this.publicDns, timings: this.timings });
  }
}
