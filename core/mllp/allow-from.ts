/**
 * `allowFrom`: the addresses and CIDR ranges an MLLP listener accepts
 * connections from. MLLP has no authentication of its own, so on a flat
 * hospital network this (or mutual TLS) is what keeps anyone who can reach
 * the port from injecting ADTs. Pure: strings in, a predicate out.
 */
import net from 'node:net';

/** `::ffff:10.1.2.3` (how a dual-stack listener sees an IPv4 peer) → `10.1.2.3`; zone ids dropped. */
export function normalizeAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped !== null ? mapped[1]! : bare.toLowerCase();
}

interface Range {
  address: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
}

/** An entry as a range, or why it is not one (the message names the entry). */
export function parseAllowEntry(entry: string): Range | { problem: string } {
  const [rawAddress = '', rawPrefix, extra] = entry.trim().split('/');
  const bad = (why: string) => ({ problem: `allowFrom entry ${JSON.stringify(entry)} ${why}` });
  if (extra !== undefined) return bad('has more than one "/"');
  let address = rawAddress.replace(/%.*$/, '');
  let family = net.isIP(address);
  if (family === 0) return bad('is not an IPv4 or IPv6 address or CIDR range (e.g. 10.20.0.0/16, 192.168.4.7, fd00::/8)');
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (rawPrefix !== undefined) {
    if (!/^\d{1,3}$/.test(rawPrefix) || Number(rawPrefix) > max) return bad(`has a prefix length outside 0–${max}`);
    prefix = Number(rawPrefix);
  }
  // An IPv4-mapped entry (::ffff:10.0.0.0/104) means the IPv4 range: peers are normalised the same way.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) {
    if (prefix < 96) return bad('is an IPv4-mapped range with a prefix below 96');
    address = mapped[1]!;
    family = 4;
    prefix -= 96;
  }
  return { address, prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Problems of a list, one per bad entry (empty when all are valid). */
export function allowFromProblems(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    const parsed = parseAllowEntry(entry);
    return 'problem' in parsed ? [parsed.problem] : [];
  });
}

/**
 * A predicate over peer addresses; undefined entries (no `allowFrom`) allow
 * everyone. Throws a TypeError on a bad entry: config validation has
 * already refused those with a message, so here it is a programming error.
 */
export function createAllowList(entries: readonly string[] | undefined): (address: string) => boolean {
  if (entries === undefined) return () => true;
  const list = new net.BlockList();
  for (const entry of entries) {
    const range = parseAllowEntry(entry);
    if ('problem' in range) throw new TypeError(range.problem);
    list.addSubnet(range.address, range.prefix, range.type);
  }
  return (address) => {
    const peer = normalizeAddress(address);
    const family = net.isIP(peer);
    return family !== 0 && list.check(peer, family === 4 ? 'ipv4' : 'ipv6');
  };
}
