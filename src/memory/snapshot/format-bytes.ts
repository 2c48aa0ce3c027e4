/** Bytes for people: B, KiB, MiB, GiB with one decimal. Negative values (shrinking) keep their sign. */
export function formatBytes(n: number): string {
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a < 1024) return `${sign}${a} B`;
  if (a < 1024 ** 2) return `${sign}${(a / 1024).toFixed(1)} KiB`;
  if (a < 1024 ** 3) return `${sign}${(a / 1024 ** 2).toFixed(1)} MiB`;
  return `${sign}${(a / 1024 ** 3).toFixed(2)} GiB`;
}
