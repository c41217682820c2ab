/** Fisher-Yates with the caller's seeded generator, so training order is reproducible. */
export function shuffleInPlace<T>(a: T[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

export function shuffled(n: number, random: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(a, random);
  return a;
}
