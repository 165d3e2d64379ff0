// The caller's public IPv4, so the lab host is reachable from this machine and nowhere else.
import * as ipaddr from "ipaddr.js";

/** AWS's own echo service: it answers with the address the request came from. */
export const PUBLIC_IP_SERVICE = "https://checkip.amazonaws.com";

export async function detectPublicIpv4(fetchText: (url: string) => Promise<string> = fetchWithTimeout): Promise<string> {
  let answer: string;
  try {
    answer = (await fetchText(PUBLIC_IP_SERVICE)).trim();
  } catch (err) {
    throw new Error(
      `calico-ipam: could not detect your public IP address (${(err as Error).message}). ` +
        `Set it yourself: npm run pulumi -- config set calico-ipam:allowedCidrs <your-ip>/32`,
    );
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(answer)) {
    throw new Error(
      `calico-ipam: ${PUBLIC_IP_SERVICE} answered "${answer.slice(0, 60)}", not an IPv4 address. ` +
        `Set calico-ipam:allowedCidrs to your address as <ip>/32`,
    );
  }
  return answer;
}

async function fetchWithTimeout(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return response.text();
}
