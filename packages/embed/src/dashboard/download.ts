/**
 * Save a Blob as a file through a temporary object URL. The data was fetched with the token in
 * the Authorization header, so no URL that carries a token is ever handed to the browser.
 *
 * @example
 * downloadBlob(await response.blob(), 'sales-revenue.csv');
 */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.rel = 'noopener';
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
