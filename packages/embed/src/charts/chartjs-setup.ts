/**
 * Chart.js, registered piece by piece: only the controllers, elements, scales and plugins Perch
 * dashboards draw. Importing `chart.js/auto` would register everything and grow the chunk.
 * No time scale: it needs a date adapter library, and time buckets arrive as rows, so their
 * labels are formatted with Intl on a category scale (see `chart-options.ts`).
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  LineController,
  DoughnutController,
  BarElement,
  LineElement,
  PointElement,
  ArcElement,
  CategoryScale,
  LinearScale,
  Filler,
  Tooltip,
  Legend,
);

export { Chart };
