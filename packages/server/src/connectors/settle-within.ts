/**
 * Resolves as `work` does, but once `stop` aborts, waits at most `graceMs` more: a server that
 * cannot even be reached to cancel (network partition) must not hold the caller past its
 * deadline. The caller destroys the abandoned connection, which also ends `work`.
 */
export function settleWithin<T>(work: Promise<T>, stop: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onStop = (): void => {
      timer = setTimeout(() => reject(new Error('statement did not stop after interrupt')), graceMs);
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    });
  });
}
