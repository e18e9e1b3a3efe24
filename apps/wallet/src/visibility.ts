/**
 * @module visibility — is the wallet frame actually visible to the user? Chromium's
 * IntersectionObserver v2 (`trackVisibility`) reports false when the frame is covered,
 * transparent or transformed by the embedding page: the classic clickjacking setup.
 * Elsewhere the answer is `undefined` (unknown).
 */
type V2Entry = IntersectionObserverEntry & { isVisible?: boolean };

export function watchVisibility(target: Element): { visible(): boolean | undefined; stop(): void } {
  let state: boolean | undefined;
  let observer: IntersectionObserver | undefined;
  try {
    observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries as V2Entry[]) state = e.isVisible;
      },
      { threshold: [0, 1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
    );
    observer.observe(target);
  } catch {
    observer = undefined;
  }
  return {
    visible: () => state,
    stop: () => observer?.disconnect(),
  };
}
