/** `ip:port` with IPv6 in brackets, as in a URL; null (a Unix socket) stays null. */
export function formatAddress(address: [ip: string, port: number] | null): string | null {
  if (address === null) return null;
  return `${address[0].includes(":") ? `[${address[0]}]` : address[0]}:${address[1]}`;
}
