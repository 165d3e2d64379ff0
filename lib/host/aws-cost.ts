// What the lab host costs on AWS: the one place the README's cost table and the `summary` output take
// their prices from. us-east-1 (the `aws:region` of Pulumi.dev.yaml), on demand, Linux, in USD.
// AWS bills storage per GB-month and prices it per month; its calculator counts 730 hours a month.

/** Where each price comes from, for the README. */
export const PRICE_SOURCES = {
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebs: "https://aws.amazon.com/ebs/pricing/",
  publicIpv4: "https://aws.amazon.com/vpc/pricing/",
} as const;

export const PRICE_REGION = "us-east-1";

/**
 * Linux on-demand USD per hour of the instance types the README talks about: the default, the
 * smaller .large, and the old lab's t3.2xlarge. Any other type is priced by the link, not guessed.
 */
export const EC2_USD_PER_HOUR: Readonly<Record<string, number>> = {
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
};

export const HOURS_PER_MONTH = 730;
export const GP3_USD_PER_GB_MONTH = 0.08;
/** gp3 includes 125 MiB/s; each MiB/s above it is billed per month. */
export const GP3_BASELINE_MIBPS = 125;
export const GP3_USD_PER_MIBPS_MONTH = 0.04;
/** Every public IPv4 address, the Elastic IP in use included, since February 2024. */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;

/** The host's root volume: gp3, throughput raised for unpacking several GB of images at first boot. */
export const ROOT_VOLUME_THROUGHPUT_MIBPS = 250;

export interface CostLine {
  what: string;
  price: string;
  /** Undefined when the price is not in the table above (an instance type the lab does not price). */
  usdPerHour: number | undefined;
}

export interface HostCost {
  lines: CostLine[];
  /** The sum, or undefined when a line has no price. */
  usdPerHour: number | undefined;
}

export function awsHostCost(host: { instanceType: string; rootVolumeGb: number }): HostCost {
  const extraMibps = Math.max(0, ROOT_VOLUME_THROUGHPUT_MIBPS - GP3_BASELINE_MIBPS);
  const instance = EC2_USD_PER_HOUR[host.instanceType];
  const lines: CostLine[] = [
    { what: `EC2 ${host.instanceType}`, price: instance === undefined ? `see ${PRICE_SOURCES.ec2}` : `$${instance}/h`, usdPerHour: instance },
    {
      what: `root volume, gp3, ${host.rootVolumeGb} GB`,
      price: `$${GP3_USD_PER_GB_MONTH} per GB-month`,
      usdPerHour: (GP3_USD_PER_GB_MONTH * host.rootVolumeGb) / HOURS_PER_MONTH,
    },
    {
      what: `its throughput raised from ${GP3_BASELINE_MIBPS} to ${ROOT_VOLUME_THROUGHPUT_MIBPS} MiB/s`,
      price: `$${GP3_USD_PER_MIBPS_MONTH} per MiB/s-month above ${GP3_BASELINE_MIBPS}`,
      usdPerHour: (GP3_USD_PER_MIBPS_MONTH * extraMibps) / HOURS_PER_MONTH,
    },
    { what: "the Elastic IP (a public IPv4 address)", price: `$${PUBLIC_IPV4_USD_PER_HOUR}/h`, usdPerHour: PUBLIC_IPV4_USD_PER_HOUR },
  ];
  const known = lines.every((l) => l.usdPerHour !== undefined);
  return { lines, usdPerHour: known ? lines.reduce((sum, l) => sum + (l.usdPerHour as number), 0) : undefined };
}

/** "$0.18" */
export function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}
