/**
 * ECharts, registered modularly: only the chart types and components Perch dashboards use, and
 * the canvas renderer. Importing `echarts` whole would blow the 150 KB dashboard budget.
 */
import { use, init, type EChartsType } from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridSimpleComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, GridSimpleComponent, LegendPlainComponent, TooltipComponent, CanvasRenderer]);

export { init, type EChartsType };
