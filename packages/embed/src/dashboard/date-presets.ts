/** Date-range presets offered by the dashboard filter bar; values use Perch's relative ranges. */
export const DATE_RANGE_PRESETS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'last 7 days', label: 'Last 7 days' },
  { value: 'last 30 days', label: 'Last 30 days' },
  { value: 'this month', label: 'This month' },
  { value: 'last 12 months', label: 'Last 12 months' },
  { value: '', label: 'All time' },
];

/** Presets plus the model's default when it is not one of them (shown under its own text). */
export function dateRangeOptions(modelDefault: string | undefined): ReadonlyArray<{ value: string; label: string }> {
  if (!modelDefault || DATE_RANGE_PRESETS.some((p) => p.value === modelDefault.toLowerCase())) return DATE_RANGE_PRESETS;
  return [{ value: modelDefault, label: modelDefault }, ...DATE_RANGE_PRESETS];
}
