// How names sort wherever the IPAM reports list nodes, pods or handles.

/** Natural order for names: worker2 before worker10, then plain text order. */
export function compareNatural(a: string, b: string): number {
  const split = (s: string): string[] => s.split(/(\d+)/);
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const numeric = i % 2 === 1;
    if (numeric) {
      const diff = BigInt(pa[i]) - BigInt(pb[i]);
      if (diff !== 0n) return diff < 0n ? -1 : 1;
    }
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}
