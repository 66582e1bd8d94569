import type { Page } from 'playwright-core';

/**
 * The light DOM and every open shadow root, serialized: what a user could see or inspect. The
 * canary checks search it, so a value rendered inside a component's shadow root is found too.
 *
 * @example
 * expect(await deepHtml(page)).not.toContain(CANARIES.globex);
 */
export function deepHtml(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [document.documentElement.outerHTML];
    const walk = (root: Document | ShadowRoot) => {
      for (const element of Array.from(root.querySelectorAll('*'))) {
        if (element.shadowRoot) {
          parts.push(element.shadowRoot.innerHTML);
          walk(element.shadowRoot);
        }
      }
    };
    walk(document);
    return parts.join('\n');
  });
}
