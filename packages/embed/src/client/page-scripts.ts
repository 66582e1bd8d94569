/**
 * Resolves once the page's own deferred and module scripts have run (DOMContentLoaded has
 * fired), plus one task for `DOMContentLoaded` handlers.
 *
 * Why: a host typically loads Perch's script and then its own module script that sets
 * `fetchToken` on the element. Perch's script may upgrade the element before the host's script
 * has even downloaded, so "no credentials yet" means nothing until the page's scripts have run.
 * Without a Navigation Timing entry to tell whether DOMContentLoaded already fired, it waits one
 * task only.
 *
 * @example
 * await afterPageScripts();
 * if (!element.fetchToken) reportTokenMissing();
 */
export async function afterPageScripts(): Promise<void> {
  if (typeof document !== 'undefined' && document.readyState !== 'complete' && !domContentLoadedFired()) {
    await new Promise<void>((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }));
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

function domContentLoadedFired(): boolean {
  const navigation = typeof performance !== 'undefined' && typeof performance.getEntriesByType === 'function' ? performance.getEntriesByType('navigation')[0] : undefined;
  // No entry: we cannot tell, so do not wait for an event that may already be past.
  if (!navigation) return true;
  return (navigation as PerformanceNavigationTiming).domContentLoadedEventStart > 0;
}
