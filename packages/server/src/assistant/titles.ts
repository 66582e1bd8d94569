/**
 * Member titles as people read them. A joined member's title is its join's title followed by its
 * own ("Customer Customer", "Product Category"); the repeated word is said once.
 */
import type { Catalog } from '@perch/engine';

/** @example displayTitle({ title: 'Customer Customer ID' }) // 'Customer ID' */
export function displayTitle(member: { title: string }): string {
  const parts = member.title.split(' ');
  return parts.length > 1 && parts[0]!.toLowerCase() === parts[1]!.toLowerCase() ? parts.slice(1).join(' ') : member.title;
}

/** The display title of a member of a catalog dataset, or its name when it is not there. */
export function titleIn(catalog: Catalog, dataset: string, member: string): string {
  const found = catalog.datasets.find((d) => d.name === dataset)?.members.find((m) => m.name === member);
  return found ? displayTitle(found) : member;
}
